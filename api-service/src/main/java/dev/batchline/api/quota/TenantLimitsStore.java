package dev.batchline.api.quota;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.system.ApiException;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The {@code tenant_limits} rows: each tenant's own limits. */
@Component
class TenantLimitsStore {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	TenantLimitsStore(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	Optional<LimitOverrides> find(UUID tenantId) {
		return this.jdbc
			.query("""
					select requests_per_second, jobs_per_second, items_per_minute, jobs_in_flight, webhook_endpoints,
					       stored_bytes
					from tenant_limits where tenant_id = ?
					""",
					(rs, n) -> new LimitOverrides(value(rs, 1), value(rs, 2), value(rs, 3), value(rs, 4), value(rs, 5),
							value(rs, 6)),
					tenantId)
			.stream()
			.findFirst();
	}

	/**
	 * Stores a tenant's own limits.
	 * @throws ApiException 404 for an unknown tenant
	 */
	void save(UUID tenantId, LimitOverrides limits) {
		try {
			this.jdbc.update("""
					insert into tenant_limits (tenant_id, requests_per_second, jobs_per_second, items_per_minute,
					                           jobs_in_flight, webhook_endpoints, stored_bytes, updated_at)
					values (?, ?, ?, ?, ?, ?, ?, ?)
					on conflict (tenant_id) do update set
					    requests_per_second = excluded.requests_per_second,
					    jobs_per_second = excluded.jobs_per_second,
					    items_per_minute = excluded.items_per_minute, jobs_in_flight = excluded.jobs_in_flight,
					    webhook_endpoints = excluded.webhook_endpoints, stored_bytes = excluded.stored_bytes,
					    updated_at = excluded.updated_at
					""", tenantId, limits.requestsPerSecond(), limits.jobsPerSecond(), limits.itemsPerMinute(),
					limits.jobsInFlight(), limits.webhookEndpoints(), limits.storedBytes(),
					Timestamp.from(this.clock.instant()));
		}
		catch (DataIntegrityViolationException ex) {
			throw ApiException.notFound("Tenant " + tenantId);
		}
	}

	private static Long value(ResultSet rs, int column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

}
