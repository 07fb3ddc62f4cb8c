package dev.batchline.api.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Errors as OpenAI's API writes them, {@code {"error": {"message", "type", "param",
 * "code"}}} with the problem's slug as {@code code}, on the OpenAI-compatible paths
 * ({@code /v1/files}, {@code /v1/batches}), so that the OpenAI SDKs read them: every
 * problem answered there, by a controller, by Spring MVC or by a filter, is rewritten
 * here. The status and headers stay the problem's.
 */
@RestControllerAdvice
public class OpenAiErrors implements ResponseBodyAdvice<Object> {

	private static final List<List<String>> PATHS = List.of(List.of("v1", "files"), List.of("v1", "batches"));

	/** Whether a request is on an OpenAI-compatible path. */
	static boolean isOpenAiPath(HttpServletRequest request) {
		List<String> path = ApiKeyAuthentication.segments(request);
		return PATHS.stream().anyMatch((prefix) -> path.size() >= 2 && path.subList(0, 2).equals(prefix));
	}

	/** The OpenAI error body of a problem. */
	static Map<String, Object> body(int status, String slug, String detail) {
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("message", detail);
		error.put("type", type(status));
		error.put("param", null);
		error.put("code", slug);
		return Map.of("error", error);
	}

	private static String type(int status) {
		return switch (status) {
			case 401 -> "authentication_error";
			case 403 -> "permission_error";
			case 404 -> "not_found_error";
			case 429 -> "rate_limit_error";
			default -> (status >= 500) ? "server_error" : "invalid_request_error";
		};
	}

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
			Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		if (!(body instanceof ProblemDetail problem) || !(request instanceof ServletServerHttpRequest servlet)
				|| !isOpenAiPath(servlet.getServletRequest())) {
			return body;
		}
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		String type = (problem.getType() != null) ? problem.getType().toString() : "";
		return body(problem.getStatus(), type.substring(type.lastIndexOf('/') + 1), problem.getDetail());
	}

}
