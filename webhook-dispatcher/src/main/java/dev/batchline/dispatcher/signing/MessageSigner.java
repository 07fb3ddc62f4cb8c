package dev.batchline.dispatcher.signing;

import java.time.Instant;

import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.SigningSecrets;
import dev.batchline.contracts.webhooks.WebhookSigner;

import org.springframework.stereotype.Component;

/**
 * Signs a message with its destination's current secrets: the endpoint's (or, for a job's
 * callback URL, the tenant's callback secret), plus the previous secret while its
 * rotation overlap lasts, so receivers that still have the old secret keep verifying. An
 * endpoint that signs with {@code v1a} is signed with its Ed25519 private keys in the
 * same way (current, then previous), and a {@code v1} one with its {@code whsec_}
 * secrets. The secrets are the api-service's: the dispatcher reads them through its
 * read-only views {@code webhook_destinations} and {@code webhook_callback_secrets} when
 * it claims or plans a delivery for an attempt, so a rotation applies to pending retries
 * too. They are stored sealed ({@link SecretBox}) and opened here, as each message is
 * signed, so they are in clear only for that moment.
 */
@Component
public class MessageSigner {

	private final SecretBox box;

	MessageSigner(SecretBox box) {
		this.box = box;
	}

	/**
	 * The {@code webhook-signature} header value.
	 * @param secrets the destination's secrets, as stored (sealed)
	 * @param messageId the message id
	 * @param timestampSeconds the signing time
	 * @param body the exact bytes sent
	 * @return the header value
	 * @throws IllegalStateException when the destination has no secret (any more)
	 */
	public String sign(SigningSecrets secrets, String messageId, long timestampSeconds, byte[] body) {
		if (secrets == null || secrets.secret() == null) {
			throw new IllegalStateException("No webhook secret for the destination of " + messageId);
		}
		return WebhookSigner.sign(messageId, timestampSeconds, body, this.box.open(secrets).keys(Instant.now()));
	}

}
