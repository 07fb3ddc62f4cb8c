package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A replay of webhook deliveries, asked for through the API: written by the api-service
 * (through its outbox) to {@link dev.batchline.contracts.Topics#webhookCommands()} for
 * the webhook dispatcher, which owns the deliveries. Either one delivery
 * ({@link #deliveryId()}), or every failed delivery of an endpoint planned at or after
 * {@link #since()}. A replayed delivery is due at once with a fresh schedule, goes to its
 * endpoint's current URL and keeps its {@code webhook-id}; a delivery still pending is
 * left as it is.
 *
 * @param id the replay's id, also the record's CloudEvents id; a replay consumed twice is
 * performed once
 * @param tenantId the tenant that asked
 * @param deliveryId the one delivery to replay, or null
 * @param endpointId the endpoint whose failed deliveries to replay, or null
 * @param since with {@code endpointId}: the earliest planning time replayed
 * @param requestedAt when the API accepted the replay
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookReplayRequested(UUID id, UUID tenantId, UUID deliveryId, UUID endpointId, Instant since,
		Instant requestedAt) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.webhook.replay.requested";

	/** A replay of one delivery. */
	public static WebhookReplayRequested ofDelivery(UUID tenantId, UUID deliveryId, Instant now) {
		return new WebhookReplayRequested(UUID.randomUUID(), tenantId, deliveryId, null, null, now);
	}

	/** A replay of an endpoint's failed deliveries planned at or after {@code since}. */
	public static WebhookReplayRequested ofFailedSince(UUID tenantId, UUID endpointId, Instant since, Instant now) {
		return new WebhookReplayRequested(UUID.randomUUID(), tenantId, null, endpointId, since, now);
	}

	/** The record key: the delivery, or the endpoint. */
	public String key() {
		return String.valueOf((this.deliveryId != null) ? this.deliveryId : this.endpointId);
	}

}
