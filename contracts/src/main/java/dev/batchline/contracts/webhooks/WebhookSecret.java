package dev.batchline.contracts.webhooks;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A Standard Webhooks signing secret: {@code whsec_} followed by the base64 of the key
 * bytes. It signs and verifies {@code v1} signatures (HMAC-SHA256).
 */
public final class WebhookSecret implements SigningKey, VerificationKey {

	/** The prefix of the textual form. */
	public static final String PREFIX = "whsec_";

	private static final int KEY_BYTES = 32;

	private static final int MIN_KEY_BYTES = 24;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final byte[] key;

	private WebhookSecret(byte[] key) {
		this.key = key;
	}

	/** A new random secret of 32 bytes. */
	public static WebhookSecret generate() {
		byte[] key = new byte[KEY_BYTES];
		RANDOM.nextBytes(key);
		return new WebhookSecret(key);
	}

	/**
	 * Reads a secret in its textual form; the {@code whsec_} prefix may be left out.
	 * @param text the secret
	 * @return the secret
	 * @throws IllegalArgumentException when it is not base64 or shorter than 24 bytes
	 */
	public static WebhookSecret parse(String text) {
		String encoded = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
		byte[] key;
		try {
			key = Base64.getDecoder().decode(encoded.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("A webhook secret is 'whsec_' followed by base64", ex);
		}
		if (key.length < MIN_KEY_BYTES) {
			throw new IllegalArgumentException("A webhook secret needs at least " + MIN_KEY_BYTES + " bytes");
		}
		return new WebhookSecret(key);
	}

	@Override
	public String version() {
		return "v1";
	}

	byte[] key() {
		return this.key.clone();
	}

	/** The textual form, {@code whsec_<base64>}. */
	public String value() {
		return PREFIX + Base64.getEncoder().encodeToString(this.key);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof WebhookSecret secret && java.security.MessageDigest.isEqual(this.key, secret.key);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.key);
	}

	@Override
	public String toString() {
		return "WebhookSecret(whsec_…)";
	}

}
