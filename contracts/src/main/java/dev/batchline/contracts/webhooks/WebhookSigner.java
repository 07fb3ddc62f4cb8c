package dev.batchline.contracts.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook messages as the Standard Webhooks specification says: the signed content
 * is {@code <webhook-id>.<webhook-timestamp>.<body>}, signed with HMAC-SHA256 and sent as
 * {@code v1,<base64>} for a {@code whsec_} secret, or signed with Ed25519 and sent as
 * {@code v1a,<base64>} for a {@code whsk_} key; with several keys (while one rotates) the
 * signatures are separated by spaces.
 */
public final class WebhookSigner {

	/** The header with the message id, stable across retries of one message. */
	public static final String ID_HEADER = "webhook-id";

	/** The header with the signing time, in seconds since the epoch. */
	public static final String TIMESTAMP_HEADER = "webhook-timestamp";

	/** The header with the signatures. */
	public static final String SIGNATURE_HEADER = "webhook-signature";

	private WebhookSigner() {
	}

	/**
	 * The {@code webhook-signature} header value of a message.
	 * @param messageId the message id
	 * @param timestampSeconds the signing time, seconds since the epoch
	 * @param body the exact bytes sent
	 * @param keys one key, or several while a key rotates, in the order of the signatures
	 * @return the header value
	 */
	public static String sign(String messageId, long timestampSeconds, byte[] body, List<? extends SigningKey> keys) {
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("At least one secret is needed to sign");
		}
		byte[] content = signedContent(messageId, timestampSeconds, body);
		return keys.stream().map((key) -> key.version() + "," + Base64.getEncoder().encodeToString(switch (key) {
			case WebhookSecret secret -> hmac(secret, content);
			case WebhookSecretKey secretKey -> secretKey.sign(content);
		})).collect(Collectors.joining(" "));
	}

	/** What is signed: {@code <webhook-id>.<webhook-timestamp>.<body>}. */
	static byte[] signedContent(String messageId, long timestampSeconds, byte[] body) {
		byte[] head = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
		byte[] content = new byte[head.length + body.length];
		System.arraycopy(head, 0, content, 0, head.length);
		System.arraycopy(body, 0, content, head.length, body.length);
		return content;
	}

	static byte[] hmac(WebhookSecret secret, byte[] content) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
			return mac.doFinal(content);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every JRE", ex);
		}
	}

}
