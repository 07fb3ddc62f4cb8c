package dev.batchline.api.webhook;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.SigningSecrets;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.support.WebhookProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;

/**
 * The tenant's secret that signs callbacks to jobs' own {@code callback.url}. Tenants get
 * one when they are created; tenants made before webhooks existed get one the first time
 * it is asked for or rotated, since the dispatcher cannot sign without it.
 */
@Service
public class CallbackSecrets {

	private static final Logger log = LoggerFactory.getLogger(CallbackSecrets.class);

	private final JdbcTemplate jdbc;

	private final WebhookProperties properties;

	private final Clock clock;

	/** Seals the secrets as they are stored, opens them as they are read. */
	private final SecretBox box;

	private final RowMapper<SigningSecrets> row;

	CallbackSecrets(JdbcTemplate jdbc, WebhookProperties properties, SecretBox box, Clock clock) {
		this.jdbc = jdbc;
		this.box = box;
		this.row = (rs, n) -> box
			.open(new SigningSecrets(rs.getString("webhook_secret"), rs.getString("previous_webhook_secret"),
					WebhookEndpointManagement.instant(rs, "previous_webhook_secret_expires_at")));
		this.properties = properties;
		this.clock = clock;
	}

	public SigningSecrets secrets(UUID tenantId) {
		// only fills a missing secret, so concurrent first reads agree on one
		this.jdbc.update("update tenants set webhook_secret = ? where id = ? and webhook_secret is null",
				this.box.seal(WebhookSecret.generate().value()), tenantId);
		List<SigningSecrets> secrets = this.jdbc.query("""
				select webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at
				from tenants where id = ?""", this.row, tenantId);
		return single(secrets, tenantId).asOf(this.clock.instant());
	}

	/**
	 * Replaces the secret; the old one keeps signing next to the new one for the
	 * configured overlap (none when there was no old one).
	 */
	public SigningSecrets rotate(UUID tenantId) {
		Instant now = this.clock.instant();
		List<SigningSecrets> rotated = this.jdbc.query(
				"""
						update tenants set previous_webhook_secret = webhook_secret,
						    previous_webhook_secret_expires_at = case when webhook_secret is null then null else ?::timestamptz end,
						    webhook_secret = ?
						where id = ?
						returning webhook_secret, previous_webhook_secret, previous_webhook_secret_expires_at""",
				this.row, Timestamp.from(now.plus(this.properties.secretRotationOverlap())),
				this.box.seal(WebhookSecret.generate().value()), tenantId);
		SigningSecrets secrets = single(rotated, tenantId);
		log.info("Tenant(id={}) rotated its callback secret; the previous one is used until {}", tenantId,
				secrets.previousSecretExpiresAt());
		return secrets.asOf(now);
	}

	private static SigningSecrets single(List<SigningSecrets> rows, UUID tenantId) {
		if (rows.isEmpty()) {
			// the tenant authenticated a moment ago, so this is not the caller's mistake
			throw new IllegalStateException("Tenant " + tenantId + " has no row");
		}
		return rows.get(0);
	}

}
