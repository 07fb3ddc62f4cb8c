package dev.batchline.api.system;

import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * An error the API answers with an RFC 9457 problem: a stable {@code type} URI per kind
 * of error, an HTTP status, a title and a detail that says what was wrong.
 */
public class ApiException extends RuntimeException {

	private static final String TYPE_BASE = "https://batchline.dev/problems/";

	private final HttpStatus status;

	private final String kind;

	private final String title;

	private final Map<String, Object> properties;

	public ApiException(HttpStatus status, String kind, String title, String detail) {
		this(status, kind, title, detail, Map.of());
	}

	public ApiException(HttpStatus status, String kind, String title, String detail, Map<String, Object> properties) {
		super(detail);
		this.status = status;
		this.kind = kind;
		this.title = title;
		this.properties = properties;
	}

	/** The problem type URI of an error kind. */
	public static URI type(String kind) {
		return URI.create(TYPE_BASE + kind);
	}

	public static ApiException notFound(String what) {
		return new ApiException(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " was not found");
	}

	public static ApiException invalid(String detail) {
		return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-request", "Invalid request", detail);
	}

	/**
	 * Checks a client-given text: at most {@code maxLength} characters and no control
	 * characters (a NUL cannot even be stored).
	 * @param field the field's name, for the message
	 * @param value the text, may be null
	 * @param maxLength the most characters allowed
	 * @return the text
	 */
	public static String requireText(String field, String value, int maxLength) {
		if (value == null) {
			return null;
		}
		if (value.length() > maxLength) {
			throw invalid("'" + field + "' must be at most " + maxLength + " characters");
		}
		if (value.chars().anyMatch((c) -> Character.isISOControl(c) && c != '\t')) {
			throw invalid("'" + field + "' must not contain control characters");
		}
		return value;
	}

	public static ApiException badRequest(String detail) {
		return new ApiException(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail);
	}

	public HttpStatus status() {
		return this.status;
	}

	public String kind() {
		return this.kind;
	}

	public String title() {
		return this.title;
	}

	public Map<String, Object> properties() {
		return this.properties;
	}

}
