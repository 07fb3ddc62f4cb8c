package dev.batchline.api.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.webhooks.SigningSecrets;

/**
 * A row of {@code webhook_endpoints}.
 *
 * @param id the endpoint id
 * @param url where deliveries go
 * @param eventTypes the event types it receives
 * @param enabled whether deliveries are planned for it
 * @param disabledReason why it was disabled without the tenant asking (its receiver
 * answered 410 Gone, as the dispatcher reported)
 * @param description the tenant's note
 * @param rateLimit its rate limit in messages per second, or null for none
 * @param secrets its signing secrets
 * @param createdAt when it was registered
 * @param updatedAt when it last changed
 */
public record WebhookEndpoint(UUID id, String url, List<String> eventTypes, boolean enabled, String disabledReason,
		String description, Integer rateLimit, SigningSecrets secrets, Instant createdAt, Instant updatedAt) {

}
