package dev.batchline.api.webhook;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The public keys that verify a {@code v1a} endpoint's messages, as the tenant sees them:
 * the current one and, while a rotation's overlap lasts, the previous one, whose private
 * key still signs next to the new one. The private keys are never shown.
 *
 * @param publicKey the current public key, {@code whpk_…}
 * @param previousPublicKey the rotated-out public key, or null
 * @param previousPublicKeyExpiresAt when the previous key stops signing, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublicKeys(String publicKey, String previousPublicKey, Instant previousPublicKeyExpiresAt) {

	/** These keys without a previous one that has expired by {@code now}. */
	public PublicKeys asOf(Instant now) {
		if (this.previousPublicKey == null || this.previousPublicKeyExpiresAt == null
				|| !this.previousPublicKeyExpiresAt.isAfter(now)) {
			return new PublicKeys(this.publicKey, null, null);
		}
		return this;
	}

}
