package dev.batchline.api.tenant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.system.PageCursor;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The tenants, for the admin: newest first, in cursor pages. */
@Component
public class TenantReads {

	private static final RowMapper<TenantSummary> ROW = TenantReads::row;

	private final JdbcTemplate jdbc;

	TenantReads(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * A tenant as the admin lists it.
	 *
	 * @param id the tenant
	 * @param name its name
	 * @param createdAt when it was created
	 * @param apiKeys how many of its API keys are not revoked
	 */
	public record TenantSummary(UUID id, String name, Instant createdAt, long apiKeys) {
	}

	/**
	 * A page of tenants.
	 *
	 * @param tenants the tenants, newest first
	 * @param nextCursor the cursor of the next page, or null on the last
	 */
	public record Page(List<TenantSummary> tenants, String nextCursor) {
	}

	/**
	 * A page of tenants, newest first.
	 * @param cursor the previous page's cursor, or null for the first page
	 * @param limit the page size
	 * @return the page
	 */
	@Transactional(readOnly = true)
	public Page page(String cursor, int limit) {
		StringBuilder sql = new StringBuilder("""
				select t.id, t.name, t.created_at,
				       (select count(*) from api_keys k where k.tenant_id = t.id and k.revoked_at is null) as api_keys
				from tenants t where true""");
		List<Object> args = new ArrayList<>();
		PageCursor.appendPage(sql, args, cursor, "t.", limit);
		List<TenantSummary> rows = this.jdbc.query(sql.toString(), ROW, args.toArray());
		List<TenantSummary> page = rows.subList(0, Math.min(limit, rows.size()));
		String next = (rows.size() > limit)
				? new PageCursor(page.get(page.size() - 1).createdAt(), page.get(page.size() - 1).id()).encode() : null;
		return new Page(List.copyOf(page), next);
	}

	private static TenantSummary row(ResultSet rs, int row) throws SQLException {
		return new TenantSummary(rs.getObject("id", UUID.class), rs.getString("name"),
				rs.getTimestamp("created_at").toInstant(), rs.getLong("api_keys"));
	}

}
