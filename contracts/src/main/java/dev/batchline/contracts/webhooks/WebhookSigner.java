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
 * Signs webhook messages as the Standard Webhooks specification says: HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, sent as {@code v1,<base64>}; with
 * several secrets (while one rotates) the signatures are separated by spaces.
 */
public final class WebhookSigner {

	/** The header with the message id, stable across retries of one message. */
	public static final String ID_HEADER = "webhook-id";

	/** The header with the signing time, in seconds since the epoch. */
	public static final String TIMESTAMP_HEADER = "webhook-timestamp";

	/** The header with the signatures. */
	public static final String SIGNATURE_HEADER = "webhook-signature";

	private static final String VERSION = "v1,";

	private WebhookSigner() {
	}

	/**
	 * The {@code webhook-signature} header value of a message.
	 * @param messageId the message id
	 * @param timestampSeconds the signing time, seconds since the epoch
	 * @param body the exact bytes sent
	 * @param secrets one secret, or several while a secret rotates
	 * @return the header value
	 */
	public static String sign(String messageId, long timestampSeconds, byte[] body, List<WebhookSecret> secrets) {
		if (secrets.isEmpty()) {
			throw new IllegalArgumentException("At least one secret is needed to sign");
		}
		return secrets.stream()
			.map((secret) -> VERSION
					+ Base64.getEncoder().encodeToString(hmac(secret, messageId, timestampSeconds, body)))
			.collect(Collectors.joining(" "));
	}

	static byte[] hmac(WebhookSecret secret, String messageId, long timestampSeconds, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
			mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
			return mac.doFinal(body);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every JRE", ex);
		}
	}

}
