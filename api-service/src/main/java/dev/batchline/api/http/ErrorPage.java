package dev.batchline.api.http;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The answer to an error the servlet container raised outside Spring MVC (a body read
 * that timed out, a request Tomcat refused): a problem of the status's kind, or the
 * {@link ApiException} behind it, instead of Spring Boot's default error body.
 */
@RestController
class ErrorPage implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		for (Throwable cause = (Throwable) request
			.getAttribute(RequestDispatcher.ERROR_EXCEPTION); cause != null; cause = cause.getCause()) {
			if (cause instanceof ApiException api) {
				return ProblemHandling.problem(api);
			}
		}
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = (code instanceof Integer value && value >= 400) ? value : 500;
		ProblemKind kind = ProblemKind.forStatus(status);
		String detail = switch (kind) {
			case REQUEST_TIMEOUT -> "The upload was cut: no byte of the request body arrived in time "
					+ "(batchline.api.upload.idle-timeout)";
			case INTERNAL -> "The service failed to handle the request; it has been logged";
			default -> kind.title();
		};
		return ProblemHandling.problem(new ApiException(kind, detail));
	}

}
