package dev.batchline.api.webhook;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The secrets that sign deliveries to one destination, as the secret endpoints show them:
 * the current one and, while a rotation's overlap lasts, the previous one, which the
 * dispatcher still signs with too.
 *
 * @param secret the current secret, {@code whsec_…}
 * @param previousSecret the rotated-out secret, only while it is still used
 * @param previousSecretExpiresAt when the previous secret stops being used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SigningSecrets(String secret, String previousSecret, Instant previousSecretExpiresAt) {

	/** These secrets, without a previous one that has expired by {@code now}. */
	SigningSecrets asOf(Instant now) {
		if (this.previousSecretExpiresAt == null || !this.previousSecretExpiresAt.isAfter(now)) {
			return new SigningSecrets(this.secret, null, null);
		}
		return this;
	}

}
