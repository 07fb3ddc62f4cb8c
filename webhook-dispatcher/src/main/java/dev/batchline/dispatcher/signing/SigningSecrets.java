package dev.batchline.dispatcher.signing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookSigner;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Signs a message with the destination's current secrets: the endpoint's (or, for a job's
 * callback URL, the tenant's), plus the previous secret while its rotation overlap lasts,
 * so receivers that still have the old secret keep verifying. Secrets are read at every
 * attempt, so a rotation applies to pending retries too.
 */
@Component
public class SigningSecrets {

	private final JdbcTemplate jdbc;

	SigningSecrets(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The {@code webhook-signature} header value.
	 * @param endpointId the endpoint, or null for the tenant's callback secret
	 * @param tenantId the tenant
	 * @param messageId the message id
	 * @param timestampSeconds the signing time
	 * @param body the exact bytes sent
	 * @return the header value
	 */
	public String sign(UUID endpointId, UUID tenantId, String messageId, long timestampSeconds, byte[] body) {
		return WebhookSigner.sign(messageId, timestampSeconds, body, secrets(endpointId, tenantId));
	}

	List<WebhookSecret> secrets(UUID endpointId, UUID tenantId) {
		List<Row> rows = (endpointId != null) ? this.jdbc.query(
				"select secret, previous_secret, previous_secret_expires_at from webhook_endpoints where id = ?",
				(rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3)), endpointId)
				: this.jdbc.query("""
						select webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at
						from tenants where id = ?
						""", (rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3)), tenantId);
		if (rows.isEmpty() || rows.get(0).secret() == null) {
			throw new IllegalStateException("No webhook secret for "
					+ ((endpointId != null) ? "endpoint " + endpointId : "the callbacks of tenant " + tenantId));
		}
		Row row = rows.get(0);
		List<WebhookSecret> secrets = new ArrayList<>(2);
		secrets.add(WebhookSecret.parse(row.secret()));
		if (row.previous() != null && row.previousExpires() != null
				&& row.previousExpires().toInstant().isAfter(Instant.now())) {
			secrets.add(WebhookSecret.parse(row.previous()));
		}
		return secrets;
	}

	private record Row(String secret, String previous, Timestamp previousExpires) {
	}

}
