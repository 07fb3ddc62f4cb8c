package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.JobEvent;

/**
 * The body of every Batchline webhook, as Standard Webhooks recommends: a type, a
 * timestamp and the data. Decode it with {@code dev.batchline.contracts.EventCodec} after
 * verifying the signature over the exact bytes received.
 *
 * @param type the event type, e.g. {@code job.succeeded}
 * @param timestamp when the job changed
 * @param data the job's summary
 */
public record WebhookPayload(String type, Instant timestamp, JobSummary data) {

	/**
	 * The event types a webhook is sent for; {@code job.queued} and {@code job.running}
	 * never are, and {@code job.progress} only to endpoints that subscribe to it.
	 */
	public static final List<String> EVENT_TYPES = List.of(JobEvent.SUCCEEDED, JobEvent.PARTIALLY_SUCCEEDED,
			JobEvent.FAILED, JobEvent.CANCELLED, JobEvent.EXPIRED, JobEvent.PROGRESS);

	/**
	 * A job's summary with links to its status and results.
	 *
	 * @param jobId the job
	 * @param eventId the event id (also in {@code webhook-id} as {@code msg_<event id>})
	 * @param state the job's state
	 * @param model the model name
	 * @param version the model version
	 * @param reason why the job changed
	 * @param counts item counts: total, succeeded, failed
	 * @param links absolute URLs: {@code status}, {@code results}
	 */
	public record JobSummary(UUID jobId, UUID eventId, String state, String model, String version, String reason,
			Map<String, Long> counts, Map<String, String> links) {
	}

	/**
	 * The {@code webhook-id} of an event's message: the same on every retry and
	 * destination.
	 */
	public static String messageId(UUID eventId) {
		return "msg_" + eventId;
	}

}
