package dev.batchline.api.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.system.ApiException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.stereotype.Component;

/**
 * {@code GET /v1/jobs/{id}}: the job and its state history in one SQL statement, outside
 * any transaction. Clients poll this endpoint (often every few milliseconds while a small
 * job runs), so it costs one round trip to PostgreSQL and no persistence context; one
 * statement also sees the job and its history in the same snapshot.
 */
@Component
class JobStatusReads {

	private static final String SQL = """
			select j.id, j.state, j.model, j.model_version, j.total_items, j.succeeded_items, j.failed_items,
			       j.metadata, j.callback_url, j.created_at, j.started_at, j.finished_at, j.updated_at, j.expires_at,
			       h.from_state, h.to_state, h.reason, h.changed_at
			from jobs j
			left join job_state_history h on h.job_id = j.id
			where j.id = ? and j.tenant_id = ?
			order by h.id
			""";

	private final JdbcTemplate jdbc;

	JobStatusReads(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** A tenant's job with its history, or 404 (also for another tenant's job). */
	JobView view(UUID tenantId, UUID jobId) {
		JobView view = this.jdbc.query(SQL, (ResultSetExtractor<JobView>) JobStatusReads::extract, jobId, tenantId);
		if (view == null) {
			throw ApiException.notFound("Job " + jobId);
		}
		return view;
	}

	private static JobView extract(ResultSet rs) throws SQLException {
		if (!rs.next()) {
			return null;
		}
		UUID id = rs.getObject("id", UUID.class);
		JobState state = JobState.valueOf(rs.getString("state"));
		String model = rs.getString("model");
		String version = rs.getString("model_version");
		long total = rs.getLong("total_items");
		long succeeded = rs.getLong("succeeded_items");
		long failed = rs.getLong("failed_items");
		String metadata = rs.getString("metadata");
		String callbackUrl = rs.getString("callback_url");
		Instant createdAt = instant(rs, "created_at");
		Instant startedAt = instant(rs, "started_at");
		Instant finishedAt = instant(rs, "finished_at");
		Instant updatedAt = instant(rs, "updated_at");
		Instant expiresAt = instant(rs, "expires_at");
		List<JobView.StateChange> history = new ArrayList<>();
		do {
			String to = rs.getString("to_state");
			if (to != null) {
				String from = rs.getString("from_state");
				history.add(new JobView.StateChange((from != null) ? JobState.valueOf(from) : null,
						JobState.valueOf(to), rs.getString("reason"), instant(rs, "changed_at")));
			}
		}
		while (rs.next());
		return JobView.of(id, state, model, version, total, succeeded, failed, metadata, callbackUrl, createdAt,
				startedAt, finishedAt, updatedAt, expiresAt, history);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
