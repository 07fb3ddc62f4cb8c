package dev.batchline.api.http;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.Container;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors answered outside Spring MVC, as problems too: the error page Tomcat forwards to
 * (in place of Spring Boot's JSON one), and the requests Tomcat refuses before any
 * application code runs (a malformed request line, an invalid percent escape in the path,
 * a header too large or holding a NUL), in place of its HTML error report.
 */
@RestController
class ContainerErrors implements ErrorController {

	/**
	 * The error page. Asked for directly (no error to report) it is a path like any
	 * unknown one: 404.
	 */
	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		// an ApiException that reached the container (a body read that timed out: 408)
		for (Throwable cause = (Throwable) request
			.getAttribute(RequestDispatcher.ERROR_EXCEPTION); cause != null; cause = cause.getCause()) {
			if (cause instanceof ApiException api) {
				return ProblemHandling.problem(api);
			}
		}
		Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		if (!(status instanceof Integer code) || code < 400) {
			return ProblemHandling.problem(ApiException.notFound("'" + request.getRequestURI() + "'"));
		}
		ProblemKind kind = ProblemKind.forStatus(code);
		ProblemDetail problem = ProblemHandling.problem(new ApiException(kind, detail(code))).getBody();
		problem.setStatus(code);
		return ResponseEntity.status(code).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

	private static String detail(int status) {
		if (status == ProblemKind.REQUEST_TIMEOUT.status()) {
			return "The upload was cut: no byte of the request body arrived in time "
					+ "(batchline.api.upload.idle-timeout)";
		}
		return (status >= 500) ? "The service failed to handle the request; it has been logged"
				: "The request was refused before it reached the API (HTTP " + status + ")";
	}

	/** Puts {@link ProblemReport} in place of Tomcat's HTML error report. */
	@Component
	static class ProblemReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addContextCustomizers((context) -> {
				Container parent = context.getParent();
				if (parent instanceof StandardHost host) {
					// the host adds a report valve of this class at start unless it has
					// one
					host.setErrorReportValveClass(ProblemReport.class.getName());
					host.getPipeline().addValve(new ProblemReport());
				}
			});
		}

	}

	/**
	 * Tomcat's error report as a problem: for what Tomcat answers itself, without
	 * repeating any of the request.
	 */
	public static class ProblemReport extends ErrorReportValve {

		@Override
		protected void report(Request request, Response response, Throwable throwable) {
			int status = response.getStatus();
			if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
				return;
			}
			ProblemKind kind = ProblemKind.forStatus(status);
			Map<String, Object> problem = new LinkedHashMap<>();
			problem.put("type", kind.type().toString());
			problem.put("title", kind.title());
			problem.put("status", status);
			problem.put("detail", detail(status));
			try {
				response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
				response.setCharacterEncoding("UTF-8");
				Writer writer = response.getReporter();
				if (writer != null) {
					writer.write(new String(EventCodec.encode(problem), java.nio.charset.StandardCharsets.UTF_8));
					response.finishResponse();
				}
			}
			catch (IOException | IllegalStateException ex) {
				// the connection is gone or the response committed: nothing more to say
			}
		}

	}

}
