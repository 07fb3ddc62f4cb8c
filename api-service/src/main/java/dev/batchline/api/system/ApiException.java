package dev.batchline.api.system;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.contracts.ProblemKind;

/**
 * An error a client caused or must know of, of one {@link ProblemKind}: the cores throw
 * it, and each front door answers it in its protocol (REST: an RFC 9457 problem with the
 * kind's type URI, status and title; the detail says what was wrong).
 */
public class ApiException extends RuntimeException {

	private final ProblemKind kind;

	private final Map<String, Object> properties;

	private final Map<String, String> headers = new LinkedHashMap<>();

	public ApiException(ProblemKind kind, String detail) {
		this(kind, detail, Map.of());
	}

	/**
	 * An error with extension members that name what was wrong (e.g. {@code item_index}).
	 */
	public ApiException(ProblemKind kind, String detail, Map<String, Object> properties) {
		super(detail);
		this.kind = kind;
		this.properties = properties;
	}

	public static ApiException notFound(String what) {
		return new ApiException(ProblemKind.NOT_FOUND, what + " was not found");
	}

	public static ApiException invalid(String detail) {
		return new ApiException(ProblemKind.INVALID_REQUEST, detail);
	}

	public static ApiException badRequest(String detail) {
		return new ApiException(ProblemKind.BAD_REQUEST, detail);
	}

	/**
	 * A body or stream over its byte limit.
	 * @param maxBytes the limit
	 * @param property the setting that holds it
	 */
	public static ApiException bodyTooLarge(long maxBytes, String property) {
		return new ApiException(ProblemKind.BODY_TOO_LARGE,
				"The request body exceeds " + maxBytes + " bytes (" + property + ")");
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

	/**
	 * Adds a header to the answer (over HTTP; other doors map what they can, such as
	 * {@code Retry-After}).
	 * @return this
	 */
	public ApiException header(String name, String value) {
		this.headers.put(name, value);
		return this;
	}

	/**
	 * Tells the client when to try again ({@code Retry-After}).
	 * @return this
	 */
	public ApiException retryAfter(long seconds) {
		return header("Retry-After", String.valueOf(Math.max(1, seconds)));
	}

	/** The headers of the answer, in order. */
	public Map<String, String> headers() {
		return this.headers;
	}

	public ProblemKind kind() {
		return this.kind;
	}

	public Map<String, Object> properties() {
		return this.properties;
	}

}
