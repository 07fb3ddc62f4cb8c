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
 * @param signatureScheme {@code v1} (HMAC-SHA256) or {@code v1a} (Ed25519)
 * @param secrets its signing secrets ({@code v1}; all null for {@code v1a})
 * @param publicKeys its public keys ({@code v1a}; all null for {@code v1})
 * @param createdAt when it was registered
 * @param updatedAt when it last changed
 */
public record WebhookEndpoint(UUID id, String url, List<String> eventTypes, boolean enabled, String disabledReason,
		String description, Integer rateLimit, String signatureScheme, SigningSecrets secrets, PublicKeys publicKeys,
		Instant createdAt, Instant updatedAt) {

	/** Standard Webhooks' symmetric scheme, HMAC-SHA256 with a {@code whsec_} secret. */
	public static final String V1 = "v1";

	/**
	 * Standard Webhooks' asymmetric scheme, Ed25519 with a {@code whsk_}/{@code whpk_}
	 * pair.
	 */
	public static final String V1A = "v1a";

	/** The schemes an endpoint can sign with. */
	public static final List<String> SIGNATURE_SCHEMES = List.of(V1, V1A);

	public boolean asymmetric() {
		return V1A.equals(this.signatureScheme);
	}

}
