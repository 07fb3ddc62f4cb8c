package dev.batchline.api.http;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as {@code application/problem+json} (RFC 9457), never a stack trace: our
 * own {@link ApiException}s, Spring MVC's errors (malformed JSON, wrong method or media
 * type, bad parameters) and, as a last resort, anything unexpected as a 500 without
 * details.
 */
@RestControllerAdvice
public class ProblemHandling extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

	static final int RETRY_AFTER_SECONDS = 5;

	@ExceptionHandler(ApiException.class)
	ResponseEntity<ProblemDetail> handleApi(ApiException ex) {
		return problem(ex);
	}

	/**
	 * The response of an {@link ApiException}, also used by filters outside Spring MVC.
	 */
	static ResponseEntity<ProblemDetail> problem(ApiException ex) {
		ProblemKind kind = ex.kind();
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(kind.status()), ex.getMessage());
		problem.setType(kind.type());
		problem.setTitle(kind.title());
		ex.properties().forEach(problem::setProperty);
		ResponseEntity.BodyBuilder answer = ResponseEntity.status(kind.status());
		ex.headers().forEach(answer::header);
		return answer.contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

	/**
	 * Writes the answer of an {@link ApiException} from a filter, outside Spring MVC.
	 */
	static void write(HttpServletRequest request, HttpServletResponse response, ApiException ex) throws IOException {
		ProblemDetail problem = problem(ex).getBody();
		response.setStatus(ex.kind().status());
		if (ex.kind() == ProblemKind.UNAUTHORIZED) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
		ex.headers().forEach(response::addHeader);
		if (OpenAiErrors.isOpenAiPath(request)) {
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			response.getOutputStream()
				.write(EventCodec.encode(OpenAiErrors.body(ex.kind().status(), ex.kind().slug(), ex.getMessage())));
			return;
		}
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", problem.getType().toString());
		body.put("title", problem.getTitle());
		body.put("status", problem.getStatus());
		body.put("detail", problem.getDetail());
		if (problem.getProperties() != null) {
			body.putAll(problem.getProperties());
		}
		response.getOutputStream().write(EventCodec.encode(body));
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<ProblemDetail> handleTypeMismatch(MethodArgumentTypeMismatchException ex) {
		return problem(ApiException.badRequest("parameter '" + ex.getName() + "' has an invalid value"));
	}

	/**
	 * A query that is not percent-encoded UTF-8 ({@code %zz}, {@code %C3%28}): Tomcat
	 * fails to decode it when a parameter is first read.
	 */
	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<ProblemDetail> handleUndecodableQuery(InvalidParameterException ex) {
		return problem(ApiException.badRequest("the query string is not valid percent-encoded UTF-8"));
	}

	/** A body sent as multipart that cannot be parsed as one (no boundary, truncated). */
	@ExceptionHandler(MultipartException.class)
	ResponseEntity<ProblemDetail> handleMalformedMultipart(MultipartException ex) {
		return problem(new ApiException(ProblemKind.UNSUPPORTED_MEDIA_TYPE, "a multipart body is not accepted here"));
	}

	/**
	 * PostgreSQL unreachable (no connection, none within the pool's timeout, or one cut
	 * under a request): 503 with {@code Retry-After}; the transaction never began or was
	 * rolled back, so nothing is half-written. Other database errors are unexpected
	 * (500).
	 */
	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> handleDatabase(Exception ex) {
		if (!isDatabaseUnavailable(ex)) {
			return handleUnexpected(ex);
		}
		log.warn("Database unavailable: {}", ex.toString());
		ResponseEntity<ProblemDetail> problem = problem(unavailable());
		return ResponseEntity.status(problem.getStatusCode())
			.header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem.getBody());
	}

	/**
	 * Whether a failure means PostgreSQL cannot be reached: no connection could be had,
	 * or the connection broke (SQL state class 08, or 57P0x: the server shutting down).
	 */
	public static boolean isDatabaseUnavailable(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			// a rollback that cannot reach its connection hides the failure it rolls
			// back:
			// the connection broke under the request
			if (cause instanceof CannotCreateTransactionException || cause instanceof DataAccessResourceFailureException
					|| cause instanceof SQLTransientConnectionException
					|| cause instanceof org.hibernate.TransactionException) {
				return true;
			}
			if (cause instanceof SQLException sql && sql.getSQLState() != null
					&& (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
				return true;
			}
		}
		return false;
	}

	/** The answer while PostgreSQL is unreachable, with {@link #RETRY_AFTER_SECONDS}. */
	public static ApiException unavailable() {
		return new ApiException(ProblemKind.UNAVAILABLE,
				"The job store is unreachable; retry after " + RETRY_AFTER_SECONDS + " seconds");
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> handleUnexpected(Exception ex) {
		log.error("Unexpected error", ex);
		return problem(
				new ApiException(ProblemKind.INTERNAL, "The service failed to handle the request; it has been logged"));
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ApiException problem = new ApiException(ProblemKind.MALFORMED_JSON,
				"The request body is not valid JSON of the expected form");
		return ResponseEntity.status(problem.kind().status())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem(problem).getBody());
	}

	/**
	 * No converter writes the answer in the media type the client insists on (an
	 * {@code Accept} with a charset other than UTF-8 on an endpoint that names what it
	 * produces): what the client asked for is not available, as for other media types.
	 */
	@Override
	protected ResponseEntity<Object> handleHttpMessageNotWritable(HttpMessageNotWritableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (ex.getMessage() == null || !ex.getMessage().startsWith("No converter")) {
			return super.handleHttpMessageNotWritable(ex, headers, status, request);
		}
		ApiException problem = new ApiException(ProblemKind.NOT_ACCEPTABLE,
				"The answer is available as UTF-8 JSON only; see the Accept header");
		return ResponseEntity.status(problem.kind().status())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem(problem).getBody());
	}

	@Override
	protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
			WebRequest request) {
		if (body instanceof ProblemDetail problem
				&& (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
			problem.setType(ProblemKind.forStatus(statusCode.value()).type());
		}
		HttpHeaders problemHeaders = new HttpHeaders();
		problemHeaders.putAll(headers);
		problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return super.createResponseEntity(body, problemHeaders, statusCode, request);
	}

}
