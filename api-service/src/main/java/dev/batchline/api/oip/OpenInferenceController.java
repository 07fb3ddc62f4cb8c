package dev.batchline.api.oip;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.ErrorBodies;
import dev.batchline.api.inference.Inference;
import dev.batchline.api.inference.Prediction;
import dev.batchline.api.inference.PredictionRequest;
import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol (KServe v2, also Triton's) over REST: health, server and
 * model metadata, model readiness and inference, as adapters over {@link Inference}.
 * Errors are the protocol's {@code {"error": "…"}} ({@link ErrorBodies}).
 */
@RestController
class OpenInferenceController {

	static final String DOOR = "oip";

	/** Triton's platform name of a TensorFlow SavedModel. */
	static final String PLATFORM = "tensorflow_savedmodel";

	private final Inference inference;

	private final ModelCatalog catalog;

	OpenInferenceController(Inference inference, ModelCatalog catalog) {
		this.inference = inference;
		this.catalog = catalog;
	}

	@GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> server() {
		return Map.of("name", "batchline", "version", version(), "extensions", List.of());
	}

	@GetMapping(path = "/v2/health/live", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> live() {
		return Map.of("live", true);
	}

	@GetMapping(path = "/v2/health/ready", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> ready() {
		boolean ready = !this.catalog.names().isEmpty();
		return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST).body(Map.of("ready", ready));
	}

	@GetMapping(path = { "/v2/models/{model}", "/v2/models/{model}/versions/{version}" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> metadata(@PathVariable Map<String, String> path) {
		String model = path.get("model");
		String version = path.get("version");
		ModelRoute route = this.inference.route(model, version);
		ModelDeployed served = route.model();
		return Map.of("name", served.name(), "versions",
				(version != null) ? List.of(served.version())
						: this.catalog.versions(model).stream().map(ModelDeployed::version).toList(),
				"platform", PLATFORM, "inputs", tensors(served.signature().inputs()), "outputs",
				tensors(served.signature().outputs()));
	}

	@GetMapping(path = { "/v2/models/{model}/ready", "/v2/models/{model}/versions/{version}/ready" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> modelReady(@PathVariable Map<String, String> path) {
		String model = path.get("model");
		String version = path.get("version");
		ModelRoute route = this.inference.route(model, version);
		ModelDeployed served = route.model();
		boolean ready = this.inference.ready(route);
		return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST)
			.body(Map.of("name", served.name(), "version", served.version(), "ready", ready));
	}

	@PostMapping(path = { "/v2/models/{model}/infer", "/v2/models/{model}/versions/{version}/infer" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ObjectNode> infer(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable Map<String, String> path, HttpServletRequest body,
			@RequestHeader(name = "Batchline-Timeout-Ms", required = false) Long timeoutMs,
			@RequestParam(name = "cache", required = false) Boolean cache) {
		String model = path.get("model");
		String version = path.get("version");
		JsonNode request = ErrorBodies.object(body);
		ModelRoute route = this.inference.route(model, version);
		ModelDeployed served = route.model();
		List<JsonNode> rows = OipTensors.rows(request.get("inputs"), served.signature());
		JsonNode parameters = request.get("parameters");
		Duration timeout = timeout(timeoutMs, parameters);
		Prediction prediction = this.inference
			.predict(new PredictionRequest(tenantId, DOOR, route, rows, timeout, cache));
		for (ItemResult row : prediction.rows()) {
			if (row.error() != null) {
				throw new ApiException(ProblemKind.INVALID_INSTANCE,
						"row " + row.index() + ": " + row.error().message(),
						Map.of("item_index", row.index(), "code", row.error().code()));
			}
		}
		ObjectNode answer = EventCodec.mapper().createObjectNode();
		answer.put("model_name", prediction.model().name());
		answer.put("model_version", prediction.model().version());
		JsonNode id = request.get("id");
		if (id != null && id.isString()) {
			answer.put("id", id.asString());
		}
		answer.set("outputs",
				OipTensors.outputs(prediction.rows(), prediction.model().signature(), request.get("outputs")));
		ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
		prediction.headers().forEach(ok::header);
		return ok.body(answer);
	}

	/**
	 * The timeout: Triton's {@code parameters.timeout} (microseconds), else the
	 * {@code Batchline-Timeout-Ms} header, else the default.
	 */
	private static Duration timeout(Long headerMs, JsonNode parameters) {
		JsonNode micros = (parameters != null && parameters.isObject()) ? parameters.get("timeout") : null;
		if (micros != null) {
			if (!micros.isIntegralNumber() || !micros.canConvertToLong()) {
				throw ApiException.badRequest("parameters.timeout must be a whole number of microseconds");
			}
			return Duration.of(micros.asLong(), ChronoUnit.MICROS);
		}
		return (headerMs != null) ? Duration.ofMillis(headerMs) : null;
	}

	private static List<Map<String, Object>> tensors(List<TensorSpec> specs) {
		return specs.stream()
			.map((spec) -> Map.<String, Object>of("name", spec.name(), "datatype", OipTensors.datatype(spec.dtype()),
					"shape", spec.shape()))
			.toList();
	}

	static String version() {
		String version = OpenInferenceController.class.getPackage().getImplementationVersion();
		return (version != null) ? version : "dev";
	}

}
