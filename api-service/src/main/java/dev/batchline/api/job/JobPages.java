package dev.batchline.api.job;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.system.PageCursor;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Cursor pages of a tenant's jobs, newest first. The cursor is the (created_at, id) of
 * the last job of the previous page, so pages stay stable while new jobs arrive.
 */
@Component
class JobPages {

	private final JdbcTemplate jdbc;

	private final JobRepository jobs;

	JobPages(JdbcTemplate jdbc, JobRepository jobs) {
		this.jdbc = jdbc;
		this.jobs = jobs;
	}

	record Page(List<Job> jobs, String nextCursor) {
	}

	@Transactional(readOnly = true)
	Page page(UUID tenantId, JobState state, String cursor, int limit) {
		StringBuilder sql = new StringBuilder("select id from jobs where tenant_id = ?");
		List<Object> args = new ArrayList<>(List.of(tenantId));
		if (state != null) {
			sql.append(" and state = ?");
			args.add(state.name());
		}
		if (cursor != null) {
			PageCursor after = PageCursor.decode(cursor);
			sql.append(" and (created_at, id) < (?, ?)");
			args.add(Timestamp.from(after.createdAt()));
			args.add(after.id());
		}
		sql.append(" order by created_at desc, id desc limit ?");
		args.add(limit + 1);
		List<UUID> ids = this.jdbc.queryForList(sql.toString(), UUID.class, args.toArray());
		List<UUID> pageIds = ids.subList(0, Math.min(limit, ids.size()));
		List<Job> page = new ArrayList<>(this.jobs.findAllById(pageIds));
		page.sort(java.util.Comparator.comparing((Job j) -> pageIds.indexOf(j.getId())));
		String next = (ids.size() > limit && !page.isEmpty())
				? new PageCursor(page.get(page.size() - 1).getCreatedAt(), page.get(page.size() - 1).getId()).encode()
				: null;
		return new Page(page, next);
	}

}
