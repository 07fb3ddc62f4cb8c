package dev.batchline.api.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors as the inference protocols write them (the Open Inference Protocol and
 * TensorFlow Serving's REST API), {@code {"error": "…"}}, for the doors that speak them
 * (named by package: a floor below them cannot name their classes): a request those
 * protocols call bad (not JSON, tensors that do not fit the model) is 400, the others
 * keep the status of their {@link ProblemKind} (404 unknown model, 413, 429, 503 no
 * worker serves it, 504 no worker answered in time) and its headers.
 */
@RestControllerAdvice(basePackages = { "dev.batchline.api.oip", "dev.batchline.api.tfserving" })
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ErrorBodies {

	/** The answer of an error. */
	@ExceptionHandler(ApiException.class)
	ResponseEntity<Map<String, Object>> answer(ApiException ex) {
		int status = switch (ex.kind()) {
			case MALFORMED_JSON, INVALID_REQUEST, INVALID_INSTANCE -> 400;
			default -> ex.kind().status();
		};
		ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
		ex.headers().forEach(answer::header);
		return answer.contentType(MediaType.APPLICATION_JSON).body(Map.of("error", ex.getMessage()));
	}

	/**
	 * A request's body as a JSON object, whatever its {@code Content-Type} says (these
	 * protocols' own examples post JSON with curl's default form type). The body has been
	 * received whole ({@link SmallBodies}).
	 * @throws ApiException {@code malformed-json} when it is not one
	 */
	public static JsonNode object(HttpServletRequest request) {
		JsonNode json;
		try {
			byte[] body = request.getInputStream().readAllBytes();
			json = (body.length > 0) ? EventCodec.tree(body) : null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			throw new ApiException(ProblemKind.MALFORMED_JSON, "the body is not JSON");
		}
		if (json == null || !json.isObject()) {
			throw new ApiException(ProblemKind.MALFORMED_JSON, "the body must be a JSON object");
		}
		return json;
	}

}
