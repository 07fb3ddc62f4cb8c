package dev.batchline.api.graphql;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoutingProperties.Routing;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;

import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * The served models over GraphQL, from {@link ModelCatalog} as {@code GET
 * /v1/models/{name}} shows them: every served version with its signature, labels and
 * workers.
 */
@Controller
class ModelQueries {

	private final ModelCatalog catalog;

	ModelQueries(ModelCatalog catalog) {
		this.catalog = catalog;
	}

	record Model(String name, String defaultVersion, List<Label> labels, List<Version> versions) {
	}

	record Label(String label, String version) {
	}

	record Version(String version, ModelSignature signature, int maxBatchSize, Instant deployedAt, String fingerprint,
			List<String> labels, int workers) {
	}

	/** The catalog is in memory: a model's versions cost no query, so none is batched. */
	@QueryMapping
	List<Model> models() {
		return this.catalog.names().stream().map(this::model).filter((model) -> model != null).toList();
	}

	private Model model(String name) {
		List<ModelDeployed> versions = this.catalog.versions(name);
		if (versions.isEmpty()) {
			// its last worker left since the names were read
			return null;
		}
		Routing routing = this.catalog.routing(name);
		return new Model(name, versions.get(versions.size() - 1).version(),
				routing.labels()
					.entrySet()
					.stream()
					.map((label) -> new Label(label.getKey(), label.getValue()))
					.toList(),
				versions.stream().map((version) -> version(version, routing)).toList());
	}

	private Version version(ModelDeployed model, Routing routing) {
		List<String> labels = routing.labels()
			.entrySet()
			.stream()
			.filter((label) -> label.getValue().equals(model.version()))
			.map(Map.Entry::getKey)
			.toList();
		return new Version(model.version(), model.signature(), model.maxBatchSize(), model.deployedAt(),
				model.fingerprint(), labels, this.catalog.workers(model.name(), model.version()).size());
	}

}
