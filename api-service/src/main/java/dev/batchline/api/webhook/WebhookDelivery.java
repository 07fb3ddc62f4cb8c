package dev.batchline.api.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A delivery of one event to one destination, as the API shows it; the dispatcher writes
 * them, the API reads them through the view {@code webhook_delivery_log}.
 *
 * @param id the delivery id
 * @param eventId the event id (the {@code webhook-id} header)
 * @param eventType the event type
 * @param jobId the job the event is about
 * @param endpointId the endpoint, absent for a job's own callback URL
 * @param url where its last attempt went (before the first, where it was planned to go)
 * @param status {@code PENDING}, {@code SUCCEEDED} or {@code FAILED} (a dead letter)
 * @param attempts attempts made since it was planned or last replayed
 * @param nextAttemptAt when the next attempt is due, while pending
 * @param lastAttemptAt when it was last attempted
 * @param lastStatusCode the HTTP status of the last attempt
 * @param lastError why the last attempt failed
 * @param deliveredAt when a receiver accepted it
 * @param createdAt when it was planned
 * @param attemptLog every attempt, oldest first (only on the single-delivery view)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookDelivery(UUID id, UUID eventId, String eventType, UUID jobId, UUID endpointId, String url,
		Status status, int attempts, Instant nextAttemptAt, Instant lastAttemptAt, Integer lastStatusCode,
		String lastError, Instant deliveredAt, Instant createdAt, List<Attempt> attemptLog) {

	public enum Status {

		PENDING, SUCCEEDED, FAILED

	}

	/**
	 * One attempt.
	 *
	 * @param attemptedAt when it was made
	 * @param statusCode the receiver's HTTP status, absent when none answered
	 * @param latencyMs how long it took
	 * @param error why it failed
	 * @param responseExcerpt the start of the receiver's answer
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Attempt(Instant attemptedAt, Integer statusCode, int latencyMs, String error, String responseExcerpt) {
	}

	WebhookDelivery withAttemptLog(List<Attempt> log) {
		return new WebhookDelivery(this.id, this.eventId, this.eventType, this.jobId, this.endpointId, this.url,
				this.status, this.attempts, this.nextAttemptAt, this.lastAttemptAt, this.lastStatusCode, this.lastError,
				this.deliveredAt, this.createdAt, log);
	}

}
