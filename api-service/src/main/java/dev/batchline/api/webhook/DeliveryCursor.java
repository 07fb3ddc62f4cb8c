package dev.batchline.api.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import dev.batchline.api.system.ApiException;

/**
 * A page boundary in the delivery log: the (created_at, id) of the last delivery of the
 * previous page, opaque to callers.
 */
record DeliveryCursor(Instant createdAt, UUID id) {

	static DeliveryCursor of(WebhookDelivery delivery) {
		return new DeliveryCursor(delivery.createdAt(), delivery.id());
	}

	String encode() {
		String raw = this.createdAt + "|" + this.id;
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
	}

	static DeliveryCursor decode(String cursor) {
		try {
			String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			int bar = raw.indexOf('|');
			return new DeliveryCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
		}
		catch (RuntimeException ex) {
			throw ApiException.badRequest("'cursor' is not a cursor this API returned");
		}
	}

}
