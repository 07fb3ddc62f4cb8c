package dev.batchline.contracts.webhooks;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * A Standard Webhooks public key: {@code whpk_} followed by the base64 of the 32-byte
 * Ed25519 public key (RFC 8032). It verifies {@code v1a} signatures and is not a secret.
 */
public final class WebhookPublicKey implements VerificationKey {

	/** The prefix of the textual form. */
	public static final String PREFIX = "whpk_";

	private final byte[] raw;

	private final PublicKey key;

	private WebhookPublicKey(byte[] raw) {
		this.raw = raw;
		this.key = Ed25519.publicKey(raw);
	}

	static WebhookPublicKey of(byte[] raw) {
		return new WebhookPublicKey(raw);
	}

	/**
	 * Reads a key in its textual form.
	 * @param text {@code whpk_<base64 of 32 bytes>}
	 * @return the key
	 * @throws IllegalArgumentException when it is not of that form
	 */
	public static WebhookPublicKey parse(String text) {
		return new WebhookPublicKey(Ed25519.decode(text, PREFIX));
	}

	@Override
	public String version() {
		return "v1a";
	}

	/** The key for {@code java.security.Signature.getInstance("Ed25519")}. */
	public PublicKey publicKey() {
		return this.key;
	}

	/** Whether {@code signature} is this key's Ed25519 signature of the content. */
	boolean verifies(byte[] content, byte[] signature) {
		return signature.length == Ed25519.SIGNATURE_BYTES && Ed25519.verify(this.key, content, signature);
	}

	/** The textual form, {@code whpk_<base64>}. */
	public String value() {
		return PREFIX + Base64.getEncoder().encodeToString(this.raw);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof WebhookPublicKey key && Arrays.equals(this.raw, key.raw);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.raw);
	}

	@Override
	public String toString() {
		return value();
	}

}
