package dev.batchline.contracts.webhooks;

import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * A Standard Webhooks asymmetric signing key: {@code whsk_} followed by the base64 of the
 * 32-byte Ed25519 private key (RFC 8032's seed). It signs {@code v1a} signatures; only
 * the sender holds it, receivers verify with its {@link WebhookPublicKey}.
 */
public final class WebhookSecretKey implements SigningKey {

	/** The prefix of the textual form. */
	public static final String PREFIX = "whsk_";

	private final byte[] seed;

	private final PrivateKey key;

	private WebhookSecretKey(byte[] seed) {
		this.seed = seed;
		this.key = Ed25519.privateKey(seed);
	}

	static WebhookSecretKey of(byte[] seed) {
		return new WebhookSecretKey(seed);
	}

	/**
	 * Reads a key in its textual form.
	 * @param text {@code whsk_<base64 of 32 bytes>}
	 * @return the key
	 * @throws IllegalArgumentException when it is not of that form
	 */
	public static WebhookSecretKey parse(String text) {
		return new WebhookSecretKey(Ed25519.decode(text, PREFIX));
	}

	@Override
	public String version() {
		return "v1a";
	}

	/** The Ed25519 signature of the signed content. */
	byte[] sign(byte[] content) {
		return Ed25519.sign(this.key, content);
	}

	/** The textual form, {@code whsk_<base64>}. */
	public String value() {
		return PREFIX + Base64.getEncoder().encodeToString(this.seed);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof WebhookSecretKey key && MessageDigest.isEqual(this.seed, key.seed);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.seed);
	}

	@Override
	public String toString() {
		return "WebhookSecretKey(whsk_…)";
	}

}
