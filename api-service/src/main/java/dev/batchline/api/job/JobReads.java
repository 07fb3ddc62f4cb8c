package dev.batchline.api.job;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.PageCursor;
import dev.batchline.contracts.ProblemKind;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads of jobs. The status read ({@code GET /v1/jobs/{id}}) is one SQL statement outside
 * any transaction: clients poll it (often every few milliseconds while a small job runs),
 * so it costs one round trip to PostgreSQL and no persistence context, and one statement
 * sees the job and its history in the same snapshot. Lists are cursor pages, newest
 * first; the cursor is the (created_at, id) of the last job of the previous page, so
 * pages stay stable while new jobs arrive.
 */
@Component
class JobReads {

	private static final String STATUS_SQL = """
			select j.id, j.state, j.model, j.model_version, j.cache, j.total_items, j.succeeded_items, j.failed_items,
			       j.metadata, j.callback_url, j.created_at, j.started_at, j.finished_at, j.updated_at, j.expires_at,
			       j.results_retention_seconds, j.results_expire_at, j.purged_at,
			       h.from_state, h.to_state, h.reason, h.changed_at
			from jobs j
			left join job_state_history h on h.job_id = j.id
			where j.id = ? and j.tenant_id = ?
			order by h.id
			""";

	/**
	 * The watched jobs and each one's state changes after a given place in its history:
	 * one statement for any number of jobs, their history numbered 1, 2, … in the order
	 * it was written.
	 */
	private static final String WATCH_SQL = """
			select j.id, j.state, j.total_items, j.succeeded_items, j.failed_items,
			       h.sequence, h.from_state, h.to_state, h.reason, h.changed_at
			from unnest(?, ?) as w(job_id, after)
			join jobs j on j.id = w.job_id
			left join lateral (
			    select n.* from (
			        select row_number() over (order by id) as sequence, from_state, to_state, reason, changed_at
			        from job_state_history where job_id = w.job_id) n
			    where n.sequence > w.after) h on true
			order by j.id, h.sequence
			""";

	private final JdbcTemplate jdbc;

	private final JobRepository jobs;

	private final JobStateChangeRepository history;

	JobReads(JdbcTemplate jdbc, JobRepository jobs, JobStateChangeRepository history) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.history = history;
	}

	/** How many of a tenant's jobs are not finished. */
	long inFlight(UUID tenantId) {
		return this.jdbc.queryForObject(
				"select count(*) from jobs where tenant_id = ? and state in ('QUEUED', 'RUNNING', 'CANCELLING')",
				Long.class, tenantId);
	}

	/**
	 * The bytes a tenant keeps stored: its jobs' input and results, and the files it
	 * uploaded (a batch's output files are its job's results).
	 */
	long storedBytes(UUID tenantId) {
		return this.jdbc.queryForObject("""
				select (select coalesce(sum(stored_bytes), 0) from jobs where tenant_id = ?)
				     + (select coalesce(sum(bytes), 0) from openai_files where tenant_id = ? and purpose = 'batch')
				""", Long.class, tenantId, tenantId);
	}

	/** A tenant's job with its history, or 404 (also for another tenant's job). */
	JobView view(UUID tenantId, UUID jobId) {
		JobView view = this.jdbc.query(STATUS_SQL, (ResultSetExtractor<JobView>) JobReads::extract, jobId, tenantId);
		if (view == null) {
			throw ApiException.notFound("Job " + jobId);
		}
		return view;
	}

	/** A tenant's job entity, or 404. */
	Job find(UUID tenantId, UUID jobId) {
		return this.jobs.findByIdAndTenantId(jobId, tenantId).orElseThrow(() -> ApiException.notFound("Job " + jobId));
	}

	/**
	 * A tenant's job whose results are still kept, or 404, or 410 once they were purged.
	 */
	Job findWithResults(UUID tenantId, UUID jobId) {
		Job job = find(tenantId, jobId);
		if (job.getPurgedAt() != null) {
			throw gone(jobId, job.getPurgedAt(), job.getResultsExpireAt());
		}
		return job;
	}

	/** The answer for the results of a job that were purged. */
	static ApiException gone(UUID jobId, Instant purgedAt, Instant resultsExpireAt) {
		return new ApiException(ProblemKind.GONE,
				"The results of job " + jobId + " were deleted at " + purgedAt
						+ ", when their retention ended (results_expire_at " + resultsExpireAt + ")",
				Map.of("purged_at", purgedAt.toString()));
	}

	/** A job's state changes, oldest first. */
	List<JobStateChange> history(UUID jobId) {
		return this.history.findByJobIdOrderById(jobId);
	}

	/**
	 * The watched jobs (of any tenant) with their state changes after the given sequence;
	 * a job that no longer exists is missing from the answer.
	 */
	List<JobWatch> watch(Map<UUID, Integer> after) {
		if (after.isEmpty()) {
			return List.of();
		}
		UUID[] ids = after.keySet().toArray(UUID[]::new);
		Integer[] sequences = Arrays.stream(ids).map(after::get).toArray(Integer[]::new);
		return this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement(WATCH_SQL);
			statement.setArray(1, connection.createArrayOf("uuid", ids));
			statement.setArray(2, connection.createArrayOf("int4", sequences));
			return statement;
		}, (ResultSetExtractor<List<JobWatch>>) JobReads::extractWatches);
	}

	private static List<JobWatch> extractWatches(ResultSet rs) throws SQLException {
		List<JobWatch> watches = new ArrayList<>();
		UUID current = null;
		while (rs.next()) {
			UUID id = rs.getObject("id", UUID.class);
			if (!id.equals(current)) {
				current = id;
				JobState state = JobState.valueOf(rs.getString("state"));
				watches.add(new JobWatch(id, state, JobView.Counts.of(state, rs.getLong("total_items"),
						rs.getLong("succeeded_items"), rs.getLong("failed_items")), new ArrayList<>()));
			}
			String to = rs.getString("to_state");
			if (to != null) {
				String from = rs.getString("from_state");
				watches.get(watches.size() - 1)
					.changes()
					.add(new JobWatch.Change(rs.getInt("sequence"),
							new JobView.StateChange((from != null) ? JobState.valueOf(from) : null,
									JobState.valueOf(to), rs.getString("reason"), instant(rs, "changed_at"))));
			}
		}
		return watches;
	}

	@Transactional(readOnly = true)
	JobPage page(UUID tenantId, JobState state, String cursor, int limit) {
		StringBuilder sql = new StringBuilder("select id from jobs where tenant_id = ?");
		List<Object> args = new ArrayList<>(List.of(tenantId));
		if (state != null) {
			sql.append(" and state = ?");
			args.add(state.name());
		}
		PageCursor.appendPage(sql, args, cursor, "", limit);
		List<UUID> ids = this.jdbc.queryForList(sql.toString(), UUID.class, args.toArray());
		List<UUID> pageIds = ids.subList(0, Math.min(limit, ids.size()));
		List<Job> page = new ArrayList<>(this.jobs.findAllById(pageIds));
		page.sort(Comparator.comparing((Job j) -> pageIds.indexOf(j.getId())));
		String next = (ids.size() > limit && !page.isEmpty())
				? new PageCursor(page.get(page.size() - 1).getCreatedAt(), page.get(page.size() - 1).getId()).encode()
				: null;
		return new JobPage(page.stream().map((job) -> JobView.of(job, null)).toList(), next);
	}

	private static JobView extract(ResultSet rs) throws SQLException {
		if (!rs.next()) {
			return null;
		}
		UUID id = rs.getObject("id", UUID.class);
		JobState state = JobState.valueOf(rs.getString("state"));
		String model = rs.getString("model");
		String version = rs.getString("model_version");
		boolean cache = rs.getBoolean("cache");
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
		Duration resultsRetention = Duration.ofSeconds(rs.getLong("results_retention_seconds"));
		Instant resultsExpireAt = instant(rs, "results_expire_at");
		Instant purgedAt = instant(rs, "purged_at");
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
		return JobView.of(id, state, model, version, cache, total, succeeded, failed, metadata, callbackUrl, createdAt,
				startedAt, finishedAt, updatedAt, expiresAt, resultsRetention, resultsExpireAt, purgedAt, history);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
