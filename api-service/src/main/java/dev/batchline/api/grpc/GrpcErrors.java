package dev.batchline.api.grpc;

import dev.batchline.api.http.ProblemHandling;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;

/**
 * Every error of a gRPC call as a gRPC status: an {@link ApiException} as the code of its
 * {@link ProblemKind} with its detail as the message, the problem's type and any
 * {@code Retry-After} in the trailers ({@code batchline-problem-type},
 * {@code retry-after}); PostgreSQL away as {@code UNAVAILABLE}; anything else as
 * {@code INTERNAL} without details (logged). Spring gRPC calls this for whatever a
 * service method or a stream's callback throws.
 */
@Component
public class GrpcErrors implements GrpcExceptionHandler {

	/** The trailer naming the problem's type URI, as REST's problem {@code type}. */
	public static final Metadata.Key<String> PROBLEM_TYPE = Metadata.Key.of("batchline-problem-type",
			Metadata.ASCII_STRING_MARSHALLER);

	/**
	 * The trailer saying when to try again, in seconds, as HTTP's {@code Retry-After}.
	 */
	public static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after",
			Metadata.ASCII_STRING_MARSHALLER);

	private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

	@Override
	public StatusException handleException(Throwable failure) {
		return of(failure).asException(trailers(failure));
	}

	/** The status of a failure. */
	public static Status of(Throwable failure) {
		if (failure instanceof ApiException api) {
			return Status.fromCode(code(api.kind())).withDescription(api.getMessage());
		}
		if (failure instanceof StatusRuntimeException status) {
			return status.getStatus();
		}
		if (failure instanceof StatusException status) {
			return status.getStatus();
		}
		if (ProblemHandling.isDatabaseUnavailable(failure)) {
			return Status.UNAVAILABLE.withDescription(ProblemHandling.unavailable().getMessage());
		}
		log.error("Unexpected error in a gRPC call", failure);
		return Status.INTERNAL.withDescription("internal error");
	}

	/** The trailers of a failure: the problem's type and when to retry. */
	public static Metadata trailers(Throwable failure) {
		Metadata trailers = new Metadata();
		ApiException api = (failure instanceof ApiException ex) ? ex
				: ProblemHandling.isDatabaseUnavailable(failure) ? ProblemHandling.unavailable() : null;
		if (api != null) {
			trailers.put(PROBLEM_TYPE, api.kind().type().toString());
			String retryAfter = api.headers().get("Retry-After");
			if (retryAfter != null) {
				trailers.put(RETRY_AFTER, retryAfter);
			}
		}
		return trailers;
	}

	/**
	 * The gRPC code of a kind of problem: the client's mistakes are
	 * {@code INVALID_ARGUMENT} (whatever their HTTP status), limits of rate and quota
	 * {@code RESOURCE_EXHAUSTED}, a state that forbids the operation
	 * {@code FAILED_PRECONDITION}.
	 */
	static Status.Code code(ProblemKind kind) {
		return switch (kind) {
			case BAD_REQUEST, MALFORMED_JSON, INVALID_REQUEST, INVALID_INSTANCE, DUPLICATE_CUSTOM_ID, UNKNOWN_MODEL,
					UNKNOWN_EVENT_TYPE, FORBIDDEN_URL, IDEMPOTENCY_KEY_REUSED, UNSUPPORTED_MEDIA_TYPE, NOT_ACCEPTABLE,
					BODY_TOO_LARGE, TOO_MANY_ITEMS, ITEM_TOO_LARGE ->
				Status.Code.INVALID_ARGUMENT;
			case NOT_FOUND, GONE -> Status.Code.NOT_FOUND;
			case IDEMPOTENCY_KEY_IN_USE -> Status.Code.ABORTED;
			case JOB_FINISHED, DELIVERY_PENDING, ENDPOINT_DISABLED, WRONG_SIGNATURE_SCHEME, KEY_REVOKED ->
				Status.Code.FAILED_PRECONDITION;
			case METHOD_NOT_ALLOWED -> Status.Code.UNIMPLEMENTED;
			case REQUEST_TIMEOUT, INFERENCE_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
			case RATE_LIMITED, QUOTA_EXCEEDED -> Status.Code.RESOURCE_EXHAUSTED;
			case UNAUTHORIZED -> Status.Code.UNAUTHENTICATED;
			case ADMIN_DISABLED, INSUFFICIENT_SCOPE -> Status.Code.PERMISSION_DENIED;
			case UNAVAILABLE, MODEL_UNAVAILABLE -> Status.Code.UNAVAILABLE;
			case INTERNAL -> Status.Code.INTERNAL;
		};
	}

}
