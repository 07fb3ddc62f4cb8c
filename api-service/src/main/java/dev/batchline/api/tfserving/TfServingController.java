package dev.batchline.api.tfserving;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.ErrorBodies;
import dev.batchline.api.inference.Inference;
import dev.batchline.api.inference.Prediction;
import dev.batchline.api.inference.PredictionRequest;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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
 * TensorFlow Serving's REST API: {@code :predict} in the row ({@code instances}) and the
 * columnar ({@code inputs}) format, a version's status and a model's metadata, by version
 * or version label, as adapters over {@link Inference}. The status of a model as a whole,
 * {@code GET /v1/models/{model}}, is Batchline's model description, which carries
 * {@code model_version_status} too. Errors are {@code {"error": "…"}}
 * ({@link ErrorBodies}).
 */
@RestController
class TfServingController {

	static final String DOOR = "tfserving";

	private final Inference inference;

	TfServingController(Inference inference) {
		this.inference = inference;
	}

	@PostMapping(path = { "/v1/models/{model}:predict", "/v1/models/{model}/versions/{version}:predict",
			"/v1/models/{model}/labels/{version}:predict" }, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ObjectNode> predict(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable Map<String, String> path, HttpServletRequest body,
			@RequestHeader(name = "Batchline-Timeout-Ms", required = false) Long timeoutMs,
			@RequestParam(name = "cache", required = false) Boolean cache) {
		String model = path.get("model");
		String version = path.get("version");
		JsonNode request = ErrorBodies.object(body);
		ModelRoute route = this.inference.route(model, version);
		List<JsonNode> rows = TfServingBodies.rows(request, route.model().signature());
		Prediction prediction = this.inference.predict(new PredictionRequest(tenantId, DOOR, route, rows,
				(timeoutMs != null) ? Duration.ofMillis(timeoutMs) : null, cache));
		for (ItemResult row : prediction.rows()) {
			if (row.error() != null) {
				throw new ApiException(ProblemKind.INVALID_INSTANCE,
						"instance " + row.index() + ": " + row.error().message(),
						Map.of("item_index", row.index(), "code", row.error().code()));
			}
		}
		ObjectNode answer = TfServingBodies.answer(request.has("instances"),
				prediction.rows().stream().map(ItemResult::output).toList(), prediction.model().signature());
		ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
		prediction.headers().forEach(ok::header);
		return ok.body(answer);
	}

	@GetMapping(path = { "/v1/models/{model}/versions/{version}", "/v1/models/{model}/labels/{version}" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> status(@PathVariable String model, @PathVariable String version) {
		ModelRoute route = this.inference.route(model, version);
		ModelDeployed served = route.model();
		return Map.of("model_version_status", List.of(Map.of("version", served.version(), "state", "AVAILABLE",
				"status", Map.of("error_code", "OK", "error_message", ""))));
	}

	@GetMapping(path = { "/v1/models/{model}/metadata", "/v1/models/{model}/versions/{version}/metadata",
			"/v1/models/{model}/labels/{version}/metadata" }, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> metadata(@PathVariable Map<String, String> path) {
		String model = path.get("model");
		String version = path.get("version");
		ModelRoute route = this.inference.route(model, version);
		ModelDeployed served = route.model();
		Map<String, Object> signature = Map.of("inputs", specs(served.signature().inputs()), "outputs",
				specs(served.signature().outputs()), "method_name", "tensorflow/serving/predict");
		return Map.of("model_spec", Map.of("name", served.name(), "signature_name", "", "version", served.version()),
				"metadata",
				Map.of("signature_def", Map.of("signature_def", Map.of(TfServingBodies.SIGNATURE, signature))));
	}

	private static Map<String, Object> specs(List<TensorSpec> specs) {
		Map<String, Object> byName = new LinkedHashMap<>();
		for (TensorSpec spec : specs) {
			List<Map<String, String>> dims = spec.shape()
				.stream()
				.map((size) -> Map.of("size", String.valueOf(size), "name", ""))
				.toList();
			byName.put(spec.name(), Map.of("dtype", "DT_" + dtype(spec.dtype()), "tensor_shape",
					Map.of("dim", dims, "unknown_rank", false), "name", spec.name()));
		}
		return byName;
	}

	private static String dtype(String dtype) {
		return switch (dtype) {
			case "float32" -> "FLOAT";
			case "float64" -> "DOUBLE";
			case "float16" -> "HALF";
			default -> dtype.toUpperCase(Locale.ROOT);
		};
	}

}
