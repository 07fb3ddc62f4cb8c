package dev.batchline.contracts.webhooks;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Verifies a Standard Webhooks message, for receivers in Java: the timestamp must be
 * within the tolerance (5 minutes by default) of the receiver's clock, and one of the
 * signatures must verify with one of the receiver's keys: a {@code v1} signature with a
 * {@code whsec_} secret (compared in constant time), a {@code v1a} signature with a
 * {@code whpk_} public key (Ed25519). Signatures of other versions, or not in base64, are
 * passed over.
 */
public final class WebhookVerifier {

	/** The specification's default tolerance. */
	public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

	private final List<VerificationKey> keys;

	private final Duration tolerance;

	private final Clock clock;

	public WebhookVerifier(VerificationKey key) {
		this(List.of(key), DEFAULT_TOLERANCE, Clock.systemUTC());
	}

	public WebhookVerifier(List<? extends VerificationKey> keys, Duration tolerance, Clock clock) {
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("At least one secret is needed to verify");
		}
		this.keys = List.copyOf(keys);
		this.tolerance = tolerance;
		this.clock = clock;
	}

	/**
	 * Verifies a message.
	 * @param messageId the {@code webhook-id} header
	 * @param timestamp the {@code webhook-timestamp} header
	 * @param signatures the {@code webhook-signature} header
	 * @param body the exact bytes received
	 * @throws WebhookVerificationException when the message must be rejected
	 */
	public void verify(String messageId, String timestamp, String signatures, byte[] body) {
		if (messageId == null || timestamp == null || signatures == null) {
			throw new WebhookVerificationException("missing webhook-id, webhook-timestamp or webhook-signature");
		}
		long seconds;
		try {
			seconds = Long.parseLong(timestamp.strip());
		}
		catch (NumberFormatException ex) {
			throw new WebhookVerificationException("webhook-timestamp is not a number of seconds");
		}
		long now = this.clock.instant().getEpochSecond();
		if (Math.abs(now - seconds) > this.tolerance.toSeconds()) {
			throw new WebhookVerificationException("webhook-timestamp is outside the tolerance of "
					+ this.tolerance.toSeconds() + " s: replayed or the clocks disagree");
		}
		byte[] content = WebhookSigner.signedContent(messageId, seconds, body);
		for (String signature : signatures.strip().split(" +")) {
			int comma = signature.indexOf(',');
			if (comma < 0) {
				continue;
			}
			String version = signature.substring(0, comma);
			byte[] given;
			try {
				given = Base64.getDecoder().decode(signature.substring(comma + 1));
			}
			catch (IllegalArgumentException ex) {
				continue;
			}
			for (VerificationKey key : this.keys) {
				if (key.version().equals(version) && verifies(key, content, given)) {
					return;
				}
			}
		}
		throw new WebhookVerificationException("no signature matches");
	}

	private static boolean verifies(VerificationKey key, byte[] content, byte[] signature) {
		return switch (key) {
			case WebhookSecret secret -> MessageDigest.isEqual(signature, WebhookSigner.hmac(secret, content));
			case WebhookPublicKey publicKey -> publicKey.verifies(content, signature);
		};
	}

}
