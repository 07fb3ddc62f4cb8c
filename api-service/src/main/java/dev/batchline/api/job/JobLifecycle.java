package dev.batchline.api.job;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.IdempotencyKeys;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.JobControl;
import dev.batchline.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How jobs end other than by finishing: cancel on request, expiry at the end of the
 * completion window, failed chunks (dead letters, chunks nobody answers), and a watchdog
 * so that no job stays unfinished forever.
 * <p>
 * Cancelling or expiring a job removes its chunk records not yet published (they count as
 * skipped at once) and publishes a {@link JobControl} record, on which the workers skip
 * the job's chunks already in Kafka. A cancelled job becomes {@code CANCELLED} once every
 * chunk is answered; an expired job is {@code EXPIRED} at once and ignores later results.
 * Both keep every result recorded before.
 */
@Service
public class JobLifecycle implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

	private static final int SWEEP_BATCH = 100;

	/** The recorders' consumer group on the results topic. */
	public static final String RECORDER_GROUP = "batchline-recorders";

	private final JobManagement management;

	private final JobRepository jobs;

	private final Outbox outbox;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final WorkerBacklog backlog;

	private final Topics topics;

	private final JobLifecycleProperties properties;

	private final Clock clock;

	private final Counter redriven;

	private final Counter lost;

	private final IdempotencyKeys idempotencyKeys;

	private ScheduledExecutorService sweeper;

	JobLifecycle(JobManagement management, JobRepository jobs, Outbox outbox, JdbcTemplate jdbc,
			TransactionTemplate transactions, WorkerBacklog backlog, Topics topics, JobLifecycleProperties properties,
			Clock clock, MeterRegistry meters, IdempotencyKeys idempotencyKeys) {
		this.idempotencyKeys = idempotencyKeys;
		this.management = management;
		this.jobs = jobs;
		this.outbox = outbox;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.backlog = backlog;
		this.topics = topics;
		this.properties = properties;
		this.clock = clock;
		this.redriven = Counter.builder("batchline.watchdog.redriven")
			.description("Chunks the watchdog published again because nobody answered them")
			.register(meters);
		this.lost = Counter.builder("batchline.watchdog.failed")
			.description("Chunks the watchdog failed after their last re-drive")
			.register(meters);
	}

	/**
	 * Cancels a tenant's job: {@code CANCELLING}, then {@code CANCELLED} once the workers
	 * answered or skipped every chunk. Cancelling a cancelling job changes nothing.
	 * @throws ApiException 404 for an unknown job, 409 for a finished one
	 */
	public Job cancel(UUID tenantId, UUID jobId) {
		return this.transactions.execute((status) -> {
			// locked before it is read at all: results are recorded into it meanwhile
			Job job = this.jobs.findForUpdate(jobId)
				.filter((found) -> found.getTenantId().equals(tenantId))
				.orElseThrow(() -> ApiException.notFound("Job " + jobId));
			if (job.getState().isTerminal()) {
				throw new ApiException(HttpStatus.CONFLICT, "job-finished", "Job already finished",
						"Job " + jobId + " is " + job.getState() + " and can no longer be cancelled");
			}
			if (job.getState() != JobState.CANCELLING) {
				this.management.transition(job, JobState.CANCELLING, "cancelled by the client");
				stopWork(job, JobState.CANCELLING);
			}
			return job;
		});
	}

	/**
	 * Fails every item of a chunk (a dead letter, or a chunk nobody answered), unless the
	 * chunk has a result already.
	 * @return whether the failure was recorded
	 */
	public boolean failChunk(UUID jobId, int chunkNo, String code, String message) {
		Boolean recorded = this.transactions.execute((status) -> {
			List<long[]> chunk = this.jdbc.query(
					"select first_index, item_count from input_chunks where job_id = ? and chunk_no = ?",
					(rs, n) -> new long[] { rs.getLong(1), rs.getInt(2) }, jobId, chunkNo);
			if (chunk.isEmpty()) {
				log.warn("Job(id={}) chunk {}: cannot fail a chunk that does not exist", jobId, chunkNo);
				return false;
			}
			long first = chunk.get(0)[0];
			List<ItemResult> items = new ArrayList<>((int) chunk.get(0)[1]);
			for (long i = first; i < first + chunk.get(0)[1]; i++) {
				items.add(ItemResult.failure(i, new ItemError(code, message)));
			}
			return this.management
				.recordChunk(new ChunkCompleted(jobId, chunkNo, first, null, null, "api-service", items));
		});
		return Boolean.TRUE.equals(recorded);
	}

	/**
	 * Removes the job's unpublished chunks and tells the workers to skip the rest. A
	 * cancelling job counts the removed chunks as skipped answers (it is cancelled once
	 * every chunk is answered); an expired one is finished already.
	 */
	private void stopWork(Job job, JobState state) {
		List<Integer> removed = this.outbox.removePendingChunks(job.getId());
		if (!removed.isEmpty() && !job.getState().isTerminal()) {
			this.management.recordChunks(job.getId(),
					removed.stream()
						.map((chunkNo) -> new ChunkCompleted(job.getId(), chunkNo, 0, job.getModel(),
								job.getModelVersion(), "api-service", ItemResults.EMPTY, true))
						.toList());
		}
		this.outbox.appendControl(new JobControl(job.getId(), state.name()));
	}

	/**
	 * Expires the unfinished jobs whose completion window has ended; returns how many.
	 */
	int expireDue() {
		Integer expired = this.transactions.execute((status) -> {
			List<UUID> due = this.jdbc.queryForList("""
					select id from jobs
					where state in ('QUEUED', 'RUNNING', 'CANCELLING') and expires_at <= ?
					order by expires_at
					limit ?
					for update skip locked
					""", UUID.class, java.sql.Timestamp.from(this.clock.instant()), SWEEP_BATCH);
			for (UUID id : due) {
				Job job = this.jobs.findForUpdate(id).orElseThrow();
				this.management.transition(job, JobState.EXPIRED,
						"completion window ended at " + job.getExpiresAt() + ": "
								+ (job.getSucceededItems() + job.getFailedItems()) + " of " + job.getTotalItems()
								+ " items processed");
				stopWork(job, JobState.EXPIRED);
			}
			return due.size();
		});
		return (expired != null) ? expired : 0;
	}

	/**
	 * Re-drives the unanswered chunks of jobs without progress for the stall timeout,
	 * when nothing is queued before them (no worker or recorder backlog); past the last
	 * re-drive, fails them. Returns the number of chunks re-driven or failed.
	 */
	int watchdog() {
		OptionalLong chunkLag = this.backlog.lag(this.properties.workerGroup(), this.topics.chunks());
		OptionalLong resultLag = this.backlog.lag(RECORDER_GROUP, this.topics.results());
		if (chunkLag.isEmpty() || chunkLag.getAsLong() > 0 || resultLag.isEmpty() || resultLag.getAsLong() > 0) {
			return 0;
		}
		Instant stalledSince = this.clock.instant().minus(this.properties.stallTimeout());
		List<UUID> stalled = this.jdbc.queryForList("""
				select j.id from jobs j
				where j.state in ('QUEUED', 'RUNNING', 'CANCELLING') and j.updated_at <= ?
				  and not exists (select 1 from outbox o where o.job_id = j.id)
				order by j.updated_at
				limit ?
				""", UUID.class, java.sql.Timestamp.from(stalledSince), SWEEP_BATCH);
		int handled = 0;
		for (UUID id : stalled) {
			Integer count = this.transactions.execute((status) -> redrive(id, stalledSince));
			handled += (count != null) ? count : 0;
		}
		return handled;
	}

	private int redrive(UUID jobId, Instant stalledSince) {
		Job job = this.jobs.findForUpdate(jobId).orElseThrow();
		if (job.getState().isTerminal() || job.getUpdatedAt().isAfter(stalledSince) || this.outbox.hasPending(jobId)) {
			return 0;
		}
		List<int[]> unanswered = this.jdbc.query("""
				select c.chunk_no, c.redrives from input_chunks c
				where c.job_id = ?
				  and not exists (select 1 from chunk_results r where r.job_id = c.job_id and r.chunk_no = c.chunk_no)
				order by c.chunk_no
				""", (rs, n) -> new int[] { rs.getInt(1), rs.getInt(2) }, jobId);
		List<Integer> again = new ArrayList<>();
		for (int[] chunk : unanswered) {
			if (chunk[1] >= this.properties.maxRedrives()) {
				log.error("Job(id={}) chunk {}: no answer after {} re-drives, its items fail", jobId, chunk[0],
						chunk[1]);
				failChunk(jobId, chunk[0], ItemError.CHUNK_LOST,
						"no worker answered the chunk, even after " + chunk[1] + " re-drives");
				this.lost.increment();
			}
			else {
				again.add(chunk[0]);
			}
		}
		if (!again.isEmpty()) {
			log.warn("Job(id={}): no progress since {} and no backlog; re-driving {} unanswered chunks", jobId,
					job.getUpdatedAt(), again.size());
			this.jdbc.batchUpdate("update input_chunks set redrives = redrives + 1 where job_id = ? and chunk_no = ?",
					again.stream().map((n) -> new Object[] { jobId, n }).toList());
			this.outbox.appendChunks(jobId, again);
			job.touch(this.clock.instant());
			this.redriven.increment(again.size());
		}
		return unanswered.size();
	}

	private void sweep() {
		try {
			int expired = expireDue();
			if (expired > 0) {
				log.info("Expired {} jobs past their completion window", expired);
			}
			watchdog();
			this.idempotencyKeys.forgetExpired();
		}
		catch (RuntimeException ex) {
			log.warn("Job sweep failed, trying again in {}: {}", this.properties.sweepInterval(), ex.toString());
		}
	}

	@Override
	public void start() {
		this.sweeper = Executors
			.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("job-sweeper").daemon().factory());
		long interval = this.properties.sweepInterval().toMillis();
		this.sweeper.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		if (this.sweeper != null) {
			this.sweeper.shutdownNow();
			this.sweeper = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.sweeper != null;
	}

}
