package dev.batchline.contracts;

import java.net.URI;

/**
 * The kinds of error Batchline's APIs answer with, each an RFC 9457 problem with a stable
 * {@code type} URI ({@code https://batchline.dev/problems/<slug>}), an HTTP status and a
 * title. Every front door maps its errors to these, so a client sees the same kind for
 * the same mistake whichever protocol it speaks.
 */
public enum ProblemKind {

	/** A parameter or header the request cannot be read with. */
	BAD_REQUEST("bad-request", 400, "Bad request"),
	/** A body that is not JSON, or not of the expected form. */
	MALFORMED_JSON("malformed-json", 400, "Malformed JSON"),
	/** A well-formed request whose fields break a rule. */
	INVALID_REQUEST("invalid-request", 422, "Invalid request"),
	/** An item that does not fit the model's signature. */
	INVALID_INSTANCE("invalid-instance", 422, "Invalid instance"),
	/** A {@code custom_id} given to two items of one job. */
	DUPLICATE_CUSTOM_ID("duplicate-custom-id", 422, "Duplicate custom id"),
	/** A model no worker serves. */
	UNKNOWN_MODEL("unknown-model", 422, "Unknown model"),
	/** A webhook event type that does not exist. */
	UNKNOWN_EVENT_TYPE("unknown-event-type", 422, "Unknown event type"),
	/** A webhook or callback URL the SSRF policy refuses. */
	FORBIDDEN_URL("forbidden-url", 422, "Forbidden URL"),
	/** An {@code Idempotency-Key} sent again with a different request. */
	IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency key reused"),
	/** An {@code Idempotency-Key} whose first request is still being handled. */
	IDEMPOTENCY_KEY_IN_USE("idempotency-key-in-use", 409, "Idempotency key in use"),
	/** An API key that is revoked or expired, asked to rotate. */
	KEY_REVOKED("key-revoked", 409, "Key revoked or expired"),
	/** A request the API key's scopes do not allow. */
	INSUFFICIENT_SCOPE("insufficient-scope", 403, "Insufficient scope"),
	/** A job that is finished and cannot change any more. */
	JOB_FINISHED("job-finished", 409, "Job already finished"),
	/** A webhook delivery that is still on its way. */
	DELIVERY_PENDING("delivery-pending", 409, "Delivery pending"),
	/** A webhook endpoint that is disabled or deleted. */
	ENDPOINT_DISABLED("endpoint-disabled", 409, "Endpoint disabled"),
	/**
	 * A webhook endpoint's secret asked of one that signs with {@code v1a}, or its public
	 * key of one that signs with {@code v1}.
	 */
	WRONG_SIGNATURE_SCHEME("wrong-signature-scheme", 409, "Wrong signature scheme"),
	/** A request body in a media type the operation does not take. */
	UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
	/** An HTTP method the path does not take. */
	METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
	/** An {@code Accept} header the operation cannot answer. */
	NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
	/** A request body over its limit. */
	BODY_TOO_LARGE("body-too-large", 413, "Request body too large"),
	/** A job with more items than allowed. */
	TOO_MANY_ITEMS("too-many-items", 413, "Too many items"),
	/** One item over the largest item's size. */
	ITEM_TOO_LARGE("item-too-large", 413, "Item too large"),
	/** An upload that stalled or arrived too slowly, cut. */
	REQUEST_TIMEOUT("request-timeout", 408, "Request timeout"),
	/** More requests (or items) than a tenant's or client's rate allows. */
	RATE_LIMITED("rate-limited", 429, "Too many requests"),
	/** A tenant's quota used up (jobs in flight, webhook endpoints, stored bytes). */
	QUOTA_EXCEEDED("quota-exceeded", 429, "Quota exceeded"),
	/** No or a wrong API key or token. */
	UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
	/** Admin endpoints while no admin token is configured. */
	ADMIN_DISABLED("admin-disabled", 403, "Admin endpoints disabled"),
	/** Something that does not exist, or belongs to another tenant. */
	NOT_FOUND("not-found", 404, "Not found"),
	/**
	 * Something that existed and was deleted for good (a job's results past retention).
	 */
	GONE("gone", 410, "Gone"),
	/** A dependency (the job store) is unreachable; the request may be retried. */
	UNAVAILABLE("unavailable", 503, "Service unavailable"),
	/** A model that no worker serves at the moment: a prediction cannot be made now. */
	MODEL_UNAVAILABLE("model-unavailable", 503, "Model unavailable"),
	/** A synchronous prediction that no worker answered within its timeout. */
	INFERENCE_TIMEOUT("inference-timeout", 504, "Inference timed out"),
	/** A failure of the service itself; logged, never with details in the answer. */
	INTERNAL("internal", 500, "Internal error");

	private static final String TYPE_BASE = "https://batchline.dev/problems/";

	private final String slug;

	private final int status;

	private final String title;

	ProblemKind(String slug, int status, String title) {
		this.slug = slug;
		this.status = status;
		this.title = title;
	}

	/** The last segment of the type URI, e.g. {@code body-too-large}. */
	public String slug() {
		return this.slug;
	}

	/** The HTTP status answered with this kind. */
	public int status() {
		return this.status;
	}

	/** The problem's title, the same for every problem of this kind. */
	public String title() {
		return this.title;
	}

	/**
	 * The kind of an error raised by a framework, known only by its status: the kind of
	 * that status, {@link #BAD_REQUEST} for other 4xx and {@link #INTERNAL} for other
	 * 5xx.
	 * @param status an HTTP error status
	 * @return its kind
	 */
	public static ProblemKind forStatus(int status) {
		for (ProblemKind kind : new ProblemKind[] { BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED,
				NOT_ACCEPTABLE, REQUEST_TIMEOUT, BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, RATE_LIMITED,
				UNAVAILABLE, INTERNAL }) {
			if (kind.status == status) {
				return kind;
			}
		}
		return (status >= 500) ? INTERNAL : BAD_REQUEST;
	}

	/** The problem's {@code type} URI. */
	public URI type() {
		return URI.create(TYPE_BASE + this.slug);
	}

}
