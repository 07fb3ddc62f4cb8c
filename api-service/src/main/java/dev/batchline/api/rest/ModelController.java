package dev.batchline.api.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoutingProperties.Routing;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/models} and {@code GET /v1/models/{name}}. */
@RestController
class ModelController {

	private final ModelCatalog catalog;

	ModelController(ModelCatalog catalog) {
		this.catalog = catalog;
	}

	record ModelSummary(String name, String defaultVersion, List<String> versions, Map<String, String> labels,
			List<SplitShare> split) {
	}

	/**
	 * A model.
	 *
	 * @param modelVersionStatus each served version's status as TensorFlow Serving's
	 * {@code GET /v1/models/{model}} writes it, for its clients
	 */
	record ModelDetails(String name, String defaultVersion, Map<String, String> labels, List<SplitShare> split,
			List<VersionDetails> versions, List<Map<String, Object>> modelVersionStatus) {
	}

	/**
	 * One share of a model's split.
	 *
	 * @param label the label, or null for a share named by version
	 * @param version the version it names
	 * @param weight its weight
	 * @param served whether a worker serves that version (a share not served is skipped)
	 */
	record SplitShare(String label, String version, int weight, boolean served) {
	}

	/**
	 * A served version.
	 *
	 * @param labels the labels that name it
	 * @param workers how many workers serve it
	 */
	record VersionDetails(String name, String version, ModelSignature signature, int maxBatchSize, Instant deployedAt,
			String fingerprint, List<String> labels, int workers) {
	}

	@GetMapping("/v1/models")
	Map<String, List<ModelSummary>> list() {
		return Map.of("data", this.catalog.names().stream().map(this::summary).toList());
	}

	@GetMapping("/v1/models/{name}")
	ModelDetails get(@PathVariable String name) {
		List<ModelDeployed> versions = this.catalog.versions(name);
		if (versions.isEmpty()) {
			throw ApiException.notFound("Model '" + name + "'");
		}
		Routing routing = this.catalog.routing(name);
		return new ModelDetails(name, versions.get(versions.size() - 1).version(), routing.labels(),
				split(name, routing), versions.stream().map((model) -> details(model, routing)).toList(),
				versions.stream()
					.map((model) -> Map.<String, Object>of("version", model.version(), "state", "AVAILABLE", "status",
							Map.of("error_code", "OK", "error_message", "")))
					.toList());
	}

	private ModelSummary summary(String name) {
		List<String> versions = this.catalog.versions(name).stream().map(ModelDeployed::version).toList();
		Routing routing = this.catalog.routing(name);
		return new ModelSummary(name, versions.get(versions.size() - 1), versions, routing.labels(),
				split(name, routing));
	}

	private List<SplitShare> split(String name, Routing routing) {
		return routing.split().entrySet().stream().map((share) -> {
			String label = routing.labels().containsKey(share.getKey()) ? share.getKey() : null;
			String version = (label != null) ? routing.labels().get(label) : share.getKey();
			return new SplitShare(label, version, share.getValue(), this.catalog.find(name, version).isPresent());
		}).toList();
	}

	private VersionDetails details(ModelDeployed model, Routing routing) {
		List<String> labels = routing.labels()
			.entrySet()
			.stream()
			.filter((label) -> label.getValue().equals(model.version()))
			.map(Map.Entry::getKey)
			.toList();
		return new VersionDetails(model.name(), model.version(), model.signature(), model.maxBatchSize(),
				model.deployedAt(), model.fingerprint(), labels,
				this.catalog.workers(model.name(), model.version()).size());
	}

}
