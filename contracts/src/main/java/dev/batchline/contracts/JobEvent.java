package dev.batchline.contracts;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A change in a job's life, published to {@link Topics#jobEvents()}. The record's
 * CloudEvents type is {@code dev.batchline.} followed by {@link #type()}.
 *
 * @param id the event id, unique; consumers deduplicate on it
 * @param type the event type, see the constants ({@code job.queued},
 * {@code job.succeeded}, ...)
 * @param occurredAt when the job changed
 * @param jobId the job
 * @param tenantId the job's tenant
 * @param model the model name
 * @param version the model version
 * @param state the job's state after the change
 * @param reason why the job changed, for people
 * @param totalItems how many items the job has
 * @param succeededItems how many items have an output so far
 * @param failedItems how many items have an error so far
 * @param callbackUrl the job's own callback URL, on terminal events of jobs that have one
 * (the dispatcher delivers there without reading the job store)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(UUID id, String type, Instant occurredAt, UUID jobId, UUID tenantId, String model,
		String version, String state, String reason, long totalItems, long succeededItems, long failedItems,
		String callbackUrl) {

	public static final String QUEUED = "job.queued";

	public static final String RUNNING = "job.running";

	public static final String SUCCEEDED = "job.succeeded";

	public static final String PARTIALLY_SUCCEEDED = "job.partially_succeeded";

	public static final String FAILED = "job.failed";

	public static final String CANCELLED = "job.cancelled";

	public static final String EXPIRED = "job.expired";

	/** A running job passed another tenth of its chunks; subscribers opt in to it. */
	public static final String PROGRESS = "job.progress";

	/** Whether the event type says a job finished. */
	public static boolean isTerminal(String type) {
		return SUCCEEDED.equals(type) || PARTIALLY_SUCCEEDED.equals(type) || FAILED.equals(type)
				|| CANCELLED.equals(type) || EXPIRED.equals(type);
	}

	/** The CloudEvents type of an event of the given Batchline type. */
	public static String cloudEventType(String type) {
		return "dev.batchline." + type;
	}

}
