package dev.batchline.api.job;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes what finished jobs leave behind, on a {@link PollLoop} of its own, in batches
 * bounded by {@code batchline.api.jobs.purge-batch-size}, each a short transaction of its
 * own:
 * <ul>
 * <li>past a job's {@code results_expire_at}, its chunk results (and any input chunk
 * still there), at most a batch of rows at a time; the job row stays as a tombstone with
 * {@code purged_at}, so its status still says what happened and its results answer
 * 410;</li>
 * <li>{@code batchline.api.jobs.tombstone-retention} after that, the job row and its
 * history, at most a batch of jobs at a time.</li>
 * </ul>
 * Jobs are claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share the work. A
 * full batch is followed by the next at once; otherwise the loop waits for the sweep
 * interval.
 */
@Component
class ResultsPurge implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ResultsPurge.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final int batchSize;

	private final Duration tombstoneRetention;

	private final Counter jobsPurged;

	private final Counter jobsDeleted;

	private final Counter resultsDeleted;

	private final Counter inputsDeleted;

	private final Counter historyDeleted;

	private final PollLoop loop;

	@Autowired
	ResultsPurge(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock, JobLifecycleProperties properties,
			MeterRegistry meters) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
		this.batchSize = properties.purgeBatchSize();
		this.tombstoneRetention = properties.tombstoneRetention();
		this.jobsPurged = Counter.builder("batchline.retention.jobs.purged")
			.description("Jobs whose results were deleted past their retention")
			.register(meters);
		this.jobsDeleted = Counter.builder("batchline.retention.jobs.deleted")
			.description("Purged jobs deleted for good past the tombstone retention")
			.register(meters);
		this.resultsDeleted = RetentionMeters.rowsDeleted(meters, "chunk_results");
		this.inputsDeleted = RetentionMeters.rowsDeleted(meters, "input_chunks");
		this.historyDeleted = RetentionMeters.rowsDeleted(meters, "job_state_history");
		Duration interval = properties.sweepInterval();
		this.loop = PollLoop.named("results-purge", this::round)
			.pollInterval(interval)
			.backoff(interval, interval.multipliedBy(12))
			.build();
	}

	/**
	 * One round: a batch of results, then a batch of tombstones.
	 * @return whether either batch was full (there may be more right away)
	 */
	boolean round() {
		Batch purged = purgeDueResults();
		Batch forgotten = forgetTombstones();
		return purged.full() || forgotten.full();
	}

	/**
	 * Deletes up to a batch of rows of the jobs whose results are past their retention,
	 * and marks the jobs left without any as purged, in one transaction.
	 */
	Batch purgeDueResults() {
		Batch batch = this.transactions.execute((status) -> {
			Instant now = this.clock.instant();
			List<UUID> due = this.jdbc.queryForList("""
					select id from jobs
					where purged_at is null and results_expire_at <= ?
					order by results_expire_at
					limit ?
					for update skip locked
					""", UUID.class, Timestamp.from(now), this.batchSize);
			if (due.isEmpty()) {
				return new Batch(0, false);
			}
			int results = deleteRows("chunk_results", due, this.batchSize);
			int inputs = (results < this.batchSize) ? deleteRows("input_chunks", due, this.batchSize - results) : 0;
			int ids = (results + inputs < this.batchSize)
					? deleteRows("chunk_custom_ids", due, this.batchSize - results - inputs) : 0;
			List<UUID> purged = this.jdbc.query((connection) -> {
				var statement = connection.prepareStatement("""
						update jobs set purged_at = ?, stored_bytes = 0
						where id = any(?)
						  and not exists (select 1 from chunk_results r where r.job_id = jobs.id)
						  and not exists (select 1 from input_chunks c where c.job_id = jobs.id)
						  and not exists (select 1 from chunk_custom_ids k where k.job_id = jobs.id)
						returning id
						""");
				statement.setTimestamp(1, Timestamp.from(now));
				statement.setArray(2, connection.createArrayOf("uuid", due.toArray()));
				return statement;
			}, (rs, n) -> rs.getObject(1, UUID.class));
			this.resultsDeleted.increment(results);
			this.inputsDeleted.increment(inputs);
			this.jobsPurged.increment(purged.size());
			purged.forEach((id) -> log.debug("Job(id={}) purged: its results' retention ended", id));
			if (!purged.isEmpty()) {
				log.info("Purged the results of {} jobs past their retention ({} rows)", purged.size(),
						results + inputs + ids);
			}
			int rows = results + inputs + ids;
			return new Batch(rows, rows >= this.batchSize || due.size() >= this.batchSize);
		});
		return (batch != null) ? batch : new Batch(0, false);
	}

	/**
	 * Deletes up to a batch of purged jobs past the tombstone retention, with their
	 * history, in one transaction.
	 */
	Batch forgetTombstones() {
		Batch batch = this.transactions.execute((status) -> {
			Instant before = this.clock.instant().minus(this.tombstoneRetention);
			List<UUID> gone = this.jdbc.queryForList("""
					select id from jobs
					where purged_at <= ?
					order by purged_at
					limit ?
					for update skip locked
					""", UUID.class, Timestamp.from(before), this.batchSize);
			if (gone.isEmpty()) {
				return new Batch(0, false);
			}
			int history = update("delete from job_state_history where job_id = any(?)", gone);
			int jobs = update("delete from jobs where id = any(?)", gone);
			this.historyDeleted.increment(history);
			this.jobsDeleted.increment(jobs);
			log.info("Deleted {} purged jobs past the tombstone retention", jobs);
			return new Batch(jobs + history, gone.size() >= this.batchSize);
		});
		return (batch != null) ? batch : new Batch(0, false);
	}

	/**
	 * Deletes up to {@code limit} rows of the jobs' rows in a table keyed by job and
	 * chunk.
	 */
	private int deleteRows(String table, List<UUID> jobIds, int limit) {
		return this.jdbc.update((connection) -> {
			var statement = connection.prepareStatement("delete from " + table + " where (job_id, chunk_no) in ("
					+ "select job_id, chunk_no from " + table + " where job_id = any(?) limit ?)");
			statement.setArray(1, connection.createArrayOf("uuid", jobIds.toArray()));
			statement.setInt(2, limit);
			return statement;
		});
	}

	private int update(String sql, List<UUID> jobIds) {
		return this.jdbc.update((connection) -> {
			var statement = connection.prepareStatement(sql);
			statement.setArray(1, connection.createArrayOf("uuid", jobIds.toArray()));
			return statement;
		});
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

	/**
	 * What a batch did.
	 *
	 * @param rows the rows deleted
	 * @param full whether it reached the batch size (there may be more)
	 */
	record Batch(int rows, boolean full) {
	}

}
