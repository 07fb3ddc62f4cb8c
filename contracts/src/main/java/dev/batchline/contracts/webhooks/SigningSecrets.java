package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The secrets that sign the messages to one destination (a webhook endpoint, or a
 * tenant's job callbacks): the current one and, while a rotation's overlap lasts, the
 * previous one, which still signs next to it so receivers can switch whenever they like.
 * The api-service shows {@code v1} secrets in this form; the dispatcher signs with
 * {@link #keys}, also for {@code v1a} endpoints, whose {@code whsk_} keys it holds in
 * this form too (never shown).
 *
 * @param secret the current secret, {@code whsec_…} (or {@code whsk_…})
 * @param previousSecret the rotated-out secret, or null
 * @param previousSecretExpiresAt when the previous secret stops signing, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SigningSecrets(String secret, String previousSecret, Instant previousSecretExpiresAt) {

	/** These secrets without a previous one that has expired by {@code now}. */
	public SigningSecrets asOf(Instant now) {
		if (this.previousSecret == null || this.previousSecretExpiresAt == null
				|| !this.previousSecretExpiresAt.isAfter(now)) {
			return new SigningSecrets(this.secret, null, null);
		}
		return this;
	}

	/**
	 * The keys that sign a message at {@code now}: the current secret, then the previous
	 * one while it lasts.
	 * @param now the signing time
	 * @return one or two keys, each read by its prefix ({@link SigningKey#parse}), for
	 * {@link WebhookSigner#sign}
	 * @throws IllegalStateException when there is no current secret
	 */
	public List<SigningKey> keys(Instant now) {
		if (this.secret == null) {
			throw new IllegalStateException("No current webhook secret to sign with");
		}
		SigningSecrets current = asOf(now);
		return (current.previousSecret() != null)
				? List.of(SigningKey.parse(current.secret()), SigningKey.parse(current.previousSecret()))
				: List.of(SigningKey.parse(current.secret()));
	}

}
