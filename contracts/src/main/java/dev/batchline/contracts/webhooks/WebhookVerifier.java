package dev.batchline.contracts.webhooks;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Verifies a Standard Webhooks message, for receivers in Java: the timestamp must be
 * within the tolerance (5 minutes by default) of the receiver's clock, and one of the
 * {@code v1} signatures must match one of the receiver's secrets, compared in constant
 * time.
 */
public final class WebhookVerifier {

	/** The specification's default tolerance. */
	public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

	private final List<WebhookSecret> secrets;

	private final Duration tolerance;

	private final Clock clock;

	public WebhookVerifier(WebhookSecret secret) {
		this(List.of(secret), DEFAULT_TOLERANCE, Clock.systemUTC());
	}

	public WebhookVerifier(List<WebhookSecret> secrets, Duration tolerance, Clock clock) {
		if (secrets.isEmpty()) {
			throw new IllegalArgumentException("At least one secret is needed to verify");
		}
		this.secrets = List.copyOf(secrets);
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
		for (String signature : signatures.strip().split(" +")) {
			int comma = signature.indexOf(',');
			if (comma < 0 || !signature.substring(0, comma).equals("v1")) {
				continue;
			}
			byte[] given;
			try {
				given = Base64.getDecoder().decode(signature.substring(comma + 1));
			}
			catch (IllegalArgumentException ex) {
				continue;
			}
			for (WebhookSecret secret : this.secrets) {
				if (MessageDigest.isEqual(given, WebhookSigner.hmac(secret, messageId, seconds, body))) {
					return;
				}
			}
		}
		throw new WebhookVerificationException("no signature matches");
	}

}
