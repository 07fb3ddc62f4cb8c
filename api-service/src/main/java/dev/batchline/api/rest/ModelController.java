package dev.batchline.api.rest;

import java.util.List;
import java.util.Map;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ModelDeployed;

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

	record ModelSummary(String name, String defaultVersion, List<String> versions) {
	}

	record ModelDetails(String name, String defaultVersion, List<ModelDeployed> versions) {
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
		return new ModelDetails(name, versions.get(versions.size() - 1).version(), versions);
	}

	private ModelSummary summary(String name) {
		List<String> versions = this.catalog.versions(name).stream().map(ModelDeployed::version).toList();
		return new ModelSummary(name, versions.get(versions.size() - 1), versions);
	}

}
