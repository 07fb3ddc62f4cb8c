package dev.batchline.dispatcher.signing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.webhooks.SigningSecrets;
import dev.batchline.contracts.webhooks.WebhookSigner;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Signs a message with its destination's current secrets: the endpoint's (or, for a job's
 * callback URL, the tenant's callback secret), plus the previous secret while its
 * rotation overlap lasts, so receivers that still have the old secret keep verifying. An
 * endpoint that signs with {@code v1a} is signed with its Ed25519 private keys in the
 * same way (current, then previous), and a {@code v1} one with its {@code whsec_}
 * secrets. The secrets are the api-service's: they are read through its read-only views
 * {@code webhook_destinations} and {@code webhook_callback_secrets}, at every attempt, so
 * a rotation applies to pending retries too.
 */
@Component
public class MessageSigner {

	private final JdbcTemplate jdbc;

	MessageSigner(JdbcTemplate jdbc) {
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
	 * @throws IllegalStateException when the destination has no secret (any more)
	 */
	public String sign(UUID endpointId, UUID tenantId, String messageId, long timestampSeconds, byte[] body) {
		return WebhookSigner.sign(messageId, timestampSeconds, body, secrets(endpointId, tenantId).keys(Instant.now()));
	}

	SigningSecrets secrets(UUID endpointId, UUID tenantId) {
		List<SigningSecrets> rows = (endpointId != null) ? this.jdbc.query("""
				select case when signature_scheme = 'v1a' then signing_key else secret end as secret,
				    case when signature_scheme = 'v1a' then previous_signing_key else previous_secret end
				        as previous_secret,
				    case when signature_scheme = 'v1a' then previous_key_expires_at else previous_secret_expires_at end
				        as previous_secret_expires_at
				from webhook_destinations where endpoint_id = ?""", MessageSigner::secrets, endpointId)
				: this.jdbc.query("""
						select secret, previous_secret, previous_secret_expires_at
						from webhook_callback_secrets where tenant_id = ?""", MessageSigner::secrets, tenantId);
		if (rows.isEmpty() || rows.get(0).secret() == null) {
			throw new IllegalStateException("No webhook secret for "
					+ ((endpointId != null) ? "endpoint " + endpointId : "the callbacks of tenant " + tenantId));
		}
		return rows.get(0);
	}

	private static SigningSecrets secrets(ResultSet rs, int row) throws SQLException {
		Timestamp expires = rs.getTimestamp("previous_secret_expires_at");
		return new SigningSecrets(rs.getString("secret"), rs.getString("previous_secret"),
				(expires != null) ? expires.toInstant() : null);
	}

}
