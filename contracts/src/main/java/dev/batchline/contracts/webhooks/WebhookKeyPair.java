package dev.batchline.contracts.webhooks;

/**
 * An Ed25519 key pair for {@code v1a} signatures: the sender keeps the secret key, the
 * receiver gets the public key.
 *
 * @param secretKey signs, {@code whsk_…}
 * @param publicKey verifies, {@code whpk_…}
 */
public record WebhookKeyPair(WebhookSecretKey secretKey, WebhookPublicKey publicKey) {

	/** A new random key pair. */
	public static WebhookKeyPair generate() {
		byte[][] pair = Ed25519.generate();
		return new WebhookKeyPair(WebhookSecretKey.of(pair[0]), WebhookPublicKey.of(pair[1]));
	}

}
