package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.UUID;

/**
 * A webhook endpoint's receiver answered {@code 410 Gone}, so the endpoint is disabled:
 * published by the webhook dispatcher to
 * {@link dev.batchline.contracts.Topics#webhookEvents()}, key = endpoint id. The
 * api-service owns the endpoints and applies it, unless the endpoint changed after the
 * dispatcher read it ({@link #endpointVersion()}), so a 410 from an old URL never
 * disables the fixed one. Applying it twice changes nothing.
 *
 * @param endpointId the endpoint
 * @param tenantId the endpoint's tenant
 * @param endpointVersion the endpoint's {@code version} that the delivery was sent with
 * @param deliveryId the delivery whose attempt got the 410
 * @param reason why, for people (shown as the endpoint's {@code disabled_reason})
 * @param occurredAt when the receiver answered
 */
public record WebhookEndpointDisabled(UUID endpointId, UUID tenantId, long endpointVersion, UUID deliveryId,
		String reason, Instant occurredAt) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.webhook.endpoint.disabled";

}
