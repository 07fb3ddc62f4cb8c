package dev.batchline.contracts.webhooks;

/**
 * A key that signs webhook messages: a {@code whsec_} secret (signatures {@code v1},
 * HMAC-SHA256) or a {@code whsk_} Ed25519 secret key (signatures {@code v1a}).
 */
public sealed interface SigningKey permits WebhookSecret, WebhookSecretKey {

	/** The signature identifier this key signs with: {@code v1} or {@code v1a}. */
	String version();

	/**
	 * Reads a key by its prefix, as the specification intends: {@code whsk_} is an
	 * Ed25519 secret key, anything else a {@code whsec_} secret.
	 * @param text the key
	 * @return the key
	 * @throws IllegalArgumentException when it is malformed
	 */
	static SigningKey parse(String text) {
		return text.startsWith(WebhookSecretKey.PREFIX) ? WebhookSecretKey.parse(text) : WebhookSecret.parse(text);
	}

}
