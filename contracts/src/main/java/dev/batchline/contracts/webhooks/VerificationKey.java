package dev.batchline.contracts.webhooks;

/**
 * A key that verifies webhook messages: a {@code whsec_} secret (signatures {@code v1})
 * or a {@code whpk_} Ed25519 public key (signatures {@code v1a}).
 */
public sealed interface VerificationKey permits WebhookSecret, WebhookPublicKey {

	/** The signature identifier this key verifies: {@code v1} or {@code v1a}. */
	String version();

	/**
	 * Reads a key by its prefix: {@code whpk_} is an Ed25519 public key, anything else a
	 * {@code whsec_} secret.
	 * @param text the key
	 * @return the key
	 * @throws IllegalArgumentException when it is malformed
	 */
	static VerificationKey parse(String text) {
		return text.startsWith(WebhookPublicKey.PREFIX) ? WebhookPublicKey.parse(text) : WebhookSecret.parse(text);
	}

}
