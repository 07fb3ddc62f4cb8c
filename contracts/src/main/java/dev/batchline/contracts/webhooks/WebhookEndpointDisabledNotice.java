package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The api-service disabled one of a tenant's endpoints for Batchline's own reasons (its
 * receiver answered {@code 410 Gone}, or it failed for too long): written through the
 * api-service's outbox, in the transaction that disabled it, to
 * {@link dev.batchline.contracts.Topics#webhookCommands()}, for the webhook dispatcher to
 * send the {@code webhook.endpoint.disabled} webhook to the tenant's endpoints that
 * subscribed to it.
 *
 * @param id the notice's id, also its CloudEvents id and the webhook's message id; a
 * notice consumed twice is sent once
 * @param tenantId the tenant
 * @param endpointId the endpoint disabled
 * @param url its URL
 * @param reason why
 * @param occurredAt when it was disabled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEndpointDisabledNotice(UUID id, UUID tenantId, UUID endpointId, String url, String reason,
		Instant occurredAt) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.webhook.endpoint.disabled.notice";

	/** The webhook's event type, in the event catalog. */
	public static final String EVENT_TYPE = "webhook.endpoint.disabled";

}
