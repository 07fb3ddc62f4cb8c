package dev.batchline.api.tenant;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Who did what to tenants, API keys and secrets, and when: one row per operation, written
 * in the operation's transaction (an operation that rolls back leaves none), read by the
 * admin newest first. It never holds a secret, only what it names.
 */
@Component
public class AuditLog {

	private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

	/** The actor of the admin token's requests. */
	public static final String ADMIN = "admin";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	AuditLog(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * One entry.
	 *
	 * @param actor {@code admin}, or {@code key:<id>} for a tenant's key
	 * @param action what was done, e.g. {@code api_key.revoked}
	 * @param target what it was done to, e.g. the key's id
	 * @param detail more, in words (never a secret)
	 */
	public record Entry(long id, Instant at, String actor, UUID tenantId, String action, String target, String detail) {
	}

	/** Records an operation, in the caller's transaction if there is one. */
	public void record(String actor, UUID tenantId, String action, String target, String detail) {
		this.jdbc.update(
				"insert into audit_log (at, actor, tenant_id, action, target, detail) values (?, ?, ?, ?, ?, ?)",
				Timestamp.from(this.clock.instant()), actor, tenantId, action, target, detail);
		log.info("Audit: {} {} {} of tenant {} ({})", actor, action, target, tenantId, detail);
	}

	/**
	 * A page of entries, newest first.
	 * @param before only entries older than this id, or null
	 * @param tenantId only this tenant's, or null for all
	 */
	public List<Entry> page(Long before, UUID tenantId, int limit) {
		return this.jdbc.query("""
				select id, at, actor, tenant_id, action, target, detail from audit_log
				where (?::bigint is null or id < ?) and (?::uuid is null or tenant_id = ?)
				order by id desc limit ?
				""",
				(rs, n) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
						rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getString(7)),
				before, before, tenantId, tenantId, limit);
	}

	/** The actor of a tenant's key. */
	public static String key(UUID keyId) {
		return "key:" + keyId;
	}

}
