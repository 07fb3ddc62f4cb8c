package dev.batchline.contracts.webhooks;

/** A webhook message that must be rejected: unsigned, badly signed, or too old or new. */
public class WebhookVerificationException extends RuntimeException {

	public WebhookVerificationException(String message) {
		super(message);
	}

}
