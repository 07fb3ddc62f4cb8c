package dev.batchline.api.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.SigningSecrets;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabled;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookKeyPair;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.support.WebhookProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Manages a tenant's webhook endpoints and their secrets: a {@code whsec_} secret for an
 * endpoint that signs with {@code v1}, an Ed25519 key pair for one that signs with
 * {@code v1a}, whose private key is written here but never read back (the dispatcher
 * reads it), so no answer can carry it. Every write is one statement guarded by the
 * tenant and by {@code deleted_at is null}, so another tenant's or a deleted endpoint is
 * simply not found, and concurrent changes never half-apply. URLs are checked before any
 * statement runs: checking may resolve a host, which must not hold a database connection.
 */
@Service
public class WebhookEndpointManagement {

	private static final Logger log = LoggerFactory.getLogger(WebhookEndpointManagement.class);

	private static final String COLUMNS = """
			id, url, event_types, enabled, disabled_reason, description, rate_limit, signature_scheme, secret,
			previous_secret, previous_secret_expires_at, public_key, previous_public_key, previous_key_expires_at,
			created_at, updated_at""";

	private final JdbcTemplate jdbc;

	private final WebhookUrls urls;

	private final WebhookProperties properties;

	private final Clock clock;

	private final Quotas quotas;

	private final Outbox outbox;

	/**
	 * Seals the secrets and private keys as they are stored, opens them as they are read.
	 */
	private final SecretBox box;

	private final RowMapper<WebhookEndpoint> row;

	WebhookEndpointManagement(JdbcTemplate jdbc, WebhookUrls urls, WebhookProperties properties, Quotas quotas,
			Outbox outbox, SecretBox box, Clock clock) {
		this.jdbc = jdbc;
		this.box = box;
		this.row = (rs, n) -> endpoint(rs, box);
		this.outbox = outbox;
		this.quotas = quotas;
		this.urls = urls;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Registers an endpoint.
	 * @throws ApiException 422 for a forbidden URL, 429 past the tenant's endpoints quota
	 */
	public WebhookEndpoint create(UUID tenantId, EndpointRequest request) {
		this.urls.check("url", request.url());
		this.quotas.webhookEndpoints(tenantId,
				this.jdbc.queryForObject(
						"select count(*) from webhook_endpoints where tenant_id = ? and deleted_at is null", Long.class,
						tenantId));
		Timestamp now = Timestamp.from(this.clock.instant());
		boolean asymmetric = WebhookEndpoint.V1A.equals(request.signatureScheme());
		WebhookKeyPair pair = asymmetric ? WebhookKeyPair.generate() : null;
		WebhookEndpoint endpoint = this.jdbc.queryForObject("""
				insert into webhook_endpoints (id, tenant_id, url, event_types, enabled, description, rate_limit,
				    signature_scheme, secret, signing_key, public_key, created_at, updated_at)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				returning\s""" + COLUMNS, this.row, UUID.randomUUID(), tenantId, request.url(),
				request.eventTypes().toArray(String[]::new), request.enabled(), request.description(),
				request.rateLimit(), request.signatureScheme(),
				asymmetric ? null : this.box.seal(WebhookSecret.generate().value()),
				asymmetric ? this.box.seal(pair.secretKey().value()) : null,
				asymmetric ? pair.publicKey().value() : null, now, now);
		log.info("Tenant(id={}) registered webhook endpoint {} for {}, signed with {}", tenantId, endpoint.id(),
				endpoint.eventTypes(), endpoint.signatureScheme());
		return endpoint;
	}

	public List<WebhookEndpoint> list(UUID tenantId) {
		return this.jdbc.query("select " + COLUMNS + """
				 from webhook_endpoints where tenant_id = ? and deleted_at is null
				order by created_at, id""", this.row, tenantId);
	}

	/** A tenant's endpoint, or 404 (also for another tenant's or a deleted one). */
	public WebhookEndpoint get(UUID tenantId, UUID id) {
		return find(tenantId, id).orElseThrow(() -> notFound(id));
	}

	Optional<WebhookEndpoint> find(UUID tenantId, UUID id) {
		return this.jdbc
			.query("select " + COLUMNS
					+ " from webhook_endpoints where id = ? and tenant_id = ? and deleted_at is null", this.row, id,
					tenantId)
			.stream()
			.findFirst();
	}

	/**
	 * Applies the fields given. Enabling an endpoint clears the reason it was disabled
	 * for. The dispatcher sends every attempt to the endpoint's current URL, so a new URL
	 * also applies to the endpoint's deliveries still pending.
	 */
	public WebhookEndpoint update(UUID tenantId, UUID id, EndpointRequest change) {
		if (change.url() != null) {
			this.urls.check("url", change.url());
		}
		List<WebhookEndpoint> updated = this.jdbc.query("""
				update webhook_endpoints set
				    url = coalesce(?::text, url),
				    event_types = coalesce(?::text[], event_types),
				    enabled = coalesce(?::boolean, enabled),
				    disabled_reason = case when ?::boolean is null then disabled_reason else null end,
				    description = case when ?::boolean then ?::text else description end,
				    rate_limit = case when ?::boolean then ?::integer else rate_limit end,
				    updated_at = ?, version = version + 1
				where id = ? and tenant_id = ? and deleted_at is null
				returning\s""" + COLUMNS, this.row, change.url(),
				(change.eventTypes() != null) ? change.eventTypes().toArray(String[]::new) : null, change.enabled(),
				change.enabled(), change.descriptionGiven(), change.description(), change.rateLimitGiven(),
				change.rateLimit(), Timestamp.from(this.clock.instant()), id, tenantId);
		if (updated.isEmpty()) {
			throw notFound(id);
		}
		return updated.get(0);
	}

	/**
	 * Disables an endpoint as the dispatcher asks (its receiver answered 410 Gone, or it
	 * failed for too long): only when it is still the endpoint the dispatcher sent to
	 * (same version) and still enabled, so a report that comes twice, or after the tenant
	 * fixed or re-enabled the endpoint, changes nothing. In the same transaction, a
	 * {@link WebhookEndpointDisabledNotice} goes to the dispatcher through the outbox,
	 * for the {@code webhook.endpoint.disabled} webhook.
	 * @return whether the endpoint was disabled now
	 */
	@Transactional
	boolean disable(WebhookEndpointDisabled report) {
		Instant now = this.clock.instant();
		List<String> disabled = this.jdbc.queryForList("""
				update webhook_endpoints set enabled = false, disabled_reason = ?, updated_at = ?, version = version + 1
				where id = ? and tenant_id = ? and version = ? and enabled and deleted_at is null
				returning url
				""", String.class, report.reason(), Timestamp.from(now), report.endpointId(), report.tenantId(),
				report.endpointVersion());
		if (disabled.isEmpty()) {
			return false;
		}
		log.warn("Tenant(id={}) webhook endpoint {} disabled: {}", report.tenantId(), report.endpointId(),
				report.reason());
		this.outbox.appendEndpointDisabled(new WebhookEndpointDisabledNotice(UUID.randomUUID(), report.tenantId(),
				report.endpointId(), disabled.get(0), report.reason(), now));
		return true;
	}

	/**
	 * Deletes softly: the endpoint stops receiving (the dispatcher abandons what was
	 * pending), its delivery log stays readable.
	 */
	public void delete(UUID tenantId, UUID id) {
		Timestamp now = Timestamp.from(this.clock.instant());
		int deleted = this.jdbc.update("""
				update webhook_endpoints set deleted_at = ?, updated_at = ?, version = version + 1
				where id = ? and tenant_id = ? and deleted_at is null
				""", now, now, id, tenantId);
		if (deleted == 0) {
			throw notFound(id);
		}
		log.info("Tenant(id={}) deleted webhook endpoint {}", tenantId, id);
	}

	/**
	 * The secrets of a {@code v1} endpoint.
	 * @throws ApiException 404, or 409 for a {@code v1a} endpoint
	 */
	public SigningSecrets secrets(UUID tenantId, UUID id) {
		return ofScheme(get(tenantId, id), WebhookEndpoint.V1).secrets().asOf(this.clock.instant());
	}

	/**
	 * The public keys of a {@code v1a} endpoint.
	 * @throws ApiException 404, or 409 for a {@code v1} endpoint
	 */
	public PublicKeys publicKeys(UUID tenantId, UUID id) {
		return ofScheme(get(tenantId, id), WebhookEndpoint.V1A).publicKeys().asOf(this.clock.instant());
	}

	/**
	 * Replaces the secret of a {@code v1} endpoint; the old one keeps signing, next to
	 * the new one, for the configured overlap. One statement: Postgres reads the old
	 * {@code secret} on the right-hand side, so two rotations at once cannot lose a
	 * secret.
	 * @throws ApiException 404, or 409 for a {@code v1a} endpoint
	 */
	public SigningSecrets rotate(UUID tenantId, UUID id) {
		Instant now = this.clock.instant();
		List<WebhookEndpoint> rotated = this.jdbc.query("""
				update webhook_endpoints set previous_secret = secret, previous_secret_expires_at = ?, secret = ?,
				    updated_at = ?, version = version + 1
				where id = ? and tenant_id = ? and deleted_at is null and signature_scheme = 'v1'
				returning\s""" + COLUMNS, this.row, Timestamp.from(now.plus(this.properties.secretRotationOverlap())),
				this.box.seal(WebhookSecret.generate().value()), Timestamp.from(now), id, tenantId);
		if (rotated.isEmpty()) {
			// not found, or another scheme's endpoint (409)
			ofScheme(get(tenantId, id), WebhookEndpoint.V1);
			throw notFound(id);
		}
		log.info("Tenant(id={}) rotated the secret of webhook endpoint {}; the previous one is used until {}", tenantId,
				id, rotated.get(0).secrets().previousSecretExpiresAt());
		return rotated.get(0).secrets().asOf(now);
	}

	/**
	 * Replaces the Ed25519 key pair of a {@code v1a} endpoint, as {@link #rotate} does
	 * the secret: the old private key keeps signing next to the new one for the
	 * configured overlap, and the old public key is shown until then.
	 * @throws ApiException 404, or 409 for a {@code v1} endpoint
	 */
	public PublicKeys rotateKeys(UUID tenantId, UUID id) {
		Instant now = this.clock.instant();
		WebhookKeyPair pair = WebhookKeyPair.generate();
		List<WebhookEndpoint> rotated = this.jdbc.query("""
				update webhook_endpoints set previous_signing_key = signing_key, previous_public_key = public_key,
				    previous_key_expires_at = ?, signing_key = ?, public_key = ?, updated_at = ?, version = version + 1
				where id = ? and tenant_id = ? and deleted_at is null and signature_scheme = 'v1a'
				returning\s""" + COLUMNS, this.row, Timestamp.from(now.plus(this.properties.secretRotationOverlap())),
				this.box.seal(pair.secretKey().value()), pair.publicKey().value(), Timestamp.from(now), id, tenantId);
		if (rotated.isEmpty()) {
			// not found, or another scheme's endpoint (409)
			ofScheme(get(tenantId, id), WebhookEndpoint.V1A);
			throw notFound(id);
		}
		log.info("Tenant(id={}) rotated the key pair of webhook endpoint {}; the previous one is used until {}",
				tenantId, id, rotated.get(0).publicKeys().previousPublicKeyExpiresAt());
		return rotated.get(0).publicKeys().asOf(now);
	}

	private static WebhookEndpoint ofScheme(WebhookEndpoint endpoint, String scheme) {
		if (!endpoint.signatureScheme().equals(scheme)) {
			throw new ApiException(ProblemKind.WRONG_SIGNATURE_SCHEME,
					"Webhook endpoint " + endpoint.id() + " signs with " + endpoint.signatureScheme() + ", so it has "
							+ (endpoint.asymmetric() ? "a public key (GET …/public-key) and no secret"
									: "a secret (GET …/secret) and no public key"));
		}
		return endpoint;
	}

	static ApiException notFound(UUID id) {
		return ApiException.notFound("Webhook endpoint " + id);
	}

	private static WebhookEndpoint endpoint(ResultSet rs, SecretBox box) throws SQLException {
		return new WebhookEndpoint(rs.getObject("id", UUID.class), rs.getString("url"),
				List.of((String[]) rs.getArray("event_types").getArray()), rs.getBoolean("enabled"),
				rs.getString("disabled_reason"), rs.getString("description"), rs.getObject("rate_limit", Integer.class),
				rs.getString("signature_scheme"),
				box.open(new SigningSecrets(rs.getString("secret"), rs.getString("previous_secret"),
						instant(rs, "previous_secret_expires_at"))),
				new PublicKeys(rs.getString("public_key"), rs.getString("previous_public_key"),
						instant(rs, "previous_key_expires_at")),
				instant(rs, "created_at"), instant(rs, "updated_at"));
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
