package dev.batchline.api.oip;

import java.util.Map;

import dev.batchline.api.http.ErrorBodies;
import dev.batchline.api.system.ApiException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of the Open Inference Protocol door, {@code {"error": "…"}}. */
@RestControllerAdvice(assignableTypes = OpenInferenceController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OipErrors {

	@ExceptionHandler(ApiException.class)
	ResponseEntity<Map<String, Object>> handle(ApiException ex) {
		return ErrorBodies.answer(ex);
	}

}
