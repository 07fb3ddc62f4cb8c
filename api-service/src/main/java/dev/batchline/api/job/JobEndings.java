package dev.batchline.api.job;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.JobControl;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * How jobs end other than by finishing: cancel on request, expiry at the end of the
 * completion window, and chunks that fail as a whole (dead letters, chunks nobody
 * answers).
 * <p>
 * Cancelling or expiring a job removes its chunk records not yet published (they count as
 * skipped at once) and publishes a {@link JobControl} record, on which the workers skip
 * the job's chunks already in Kafka. A cancelled job becomes {@code CANCELLED} once every
 * chunk is answered; an expired job is {@code EXPIRED} at once and ignores later results.
 * Both keep every result recorded before.
 */
@Component
class JobEndings {

	private static final Logger log = LoggerFactory.getLogger(JobEndings.class);

	private static final int SWEEP_BATCH = 100;

	private final JobRepository jobs;

	private final ChunkRecording recording;

	private final JobTransitions transitions;

	private final Outbox outbox;

	private final JdbcTemplate jdbc;

	private final Clock clock;

	JobEndings(JobRepository jobs, ChunkRecording recording, JobTransitions transitions, Outbox outbox,
			JdbcTemplate jdbc, Clock clock) {
		this.jobs = jobs;
		this.recording = recording;
		this.transitions = transitions;
		this.outbox = outbox;
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Cancels a tenant's job: {@code CANCELLING}, then {@code CANCELLED} once the workers
	 * answered or skipped every chunk. Cancelling a cancelling job changes nothing.
	 * @throws ApiException 404 for an unknown job, 409 for a finished one
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	Job cancel(UUID tenantId, UUID jobId) {
		// locked before it is read at all: results are recorded into it meanwhile
		Job job = this.jobs.findForUpdate(jobId)
			.filter((found) -> found.getTenantId().equals(tenantId))
			.orElseThrow(() -> ApiException.notFound("Job " + jobId));
		if (job.getState().isTerminal()) {
			throw new ApiException(ProblemKind.JOB_FINISHED,
					"Job " + jobId + " is " + job.getState() + " and can no longer be cancelled");
		}
		if (job.getState() != JobState.CANCELLING) {
			this.transitions.move(job, JobState.CANCELLING, "cancelled by the client");
			stopWork(job, JobState.CANCELLING);
		}
		return job;
	}

	/**
	 * Expires the unfinished jobs whose completion window has ended, a batch at a time.
	 * @return how many were expired
	 */
	@Transactional
	int expireDue() {
		List<UUID> due = this.jdbc.queryForList("""
				select id from jobs
				where state in ('QUEUED', 'RUNNING', 'CANCELLING') and expires_at <= ?
				order by expires_at
				limit ?
				for update skip locked
				""", UUID.class, Timestamp.from(this.clock.instant()), SWEEP_BATCH);
		for (UUID id : due) {
			Job job = this.jobs.findForUpdate(id).orElseThrow();
			this.transitions.move(job, JobState.EXPIRED,
					"completion window ended at " + job.getExpiresAt() + ": "
							+ (job.getSucceededItems() + job.getFailedItems()) + " of " + job.getTotalItems()
							+ " items processed");
			stopWork(job, JobState.EXPIRED);
		}
		if (!due.isEmpty()) {
			log.info("Expired {} jobs past their completion window", due.size());
		}
		return due.size();
	}

	/**
	 * Fails every item of a chunk, unless the chunk has a result already.
	 * @return whether the failure was recorded
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	boolean failChunk(ChunkKey chunk, String code, String message) {
		List<long[]> found = this.jdbc.query(
				"select first_index, item_count from input_chunks where job_id = ? and chunk_no = ?",
				(rs, n) -> new long[] { rs.getLong(1), rs.getInt(2) }, chunk.jobId(), chunk.chunk());
		if (found.isEmpty()) {
			if (this.jobs.findById(chunk.jobId()).map((job) -> job.getState().isTerminal()).orElse(false)) {
				// its inputs went with its end; a finished job never changes
				log.debug("Job(id={}) chunk {}: failure after the job finished ignored", chunk.jobId(), chunk.chunk());
			}
			else {
				log.warn("Job(id={}) chunk {}: cannot fail a chunk that does not exist", chunk.jobId(), chunk.chunk());
			}
			return false;
		}
		long first = found.get(0)[0];
		List<ItemResult> items = new ArrayList<>((int) found.get(0)[1]);
		for (long i = first; i < first + found.get(0)[1]; i++) {
			items.add(ItemResult.failure(i, new ItemError(code, message)));
		}
		return this.recording.record(chunk.jobId(), List.of(TracedResult
			.untraced(new ChunkCompleted(chunk.jobId(), chunk.chunk(), first, null, null, "api-service", items)))) == 1;
	}

	/**
	 * Removes the job's unpublished chunks and tells the workers to skip the rest. A
	 * cancelling job counts the removed chunks as skipped answers (it is cancelled once
	 * every chunk is answered); an expired one is finished already.
	 */
	private void stopWork(Job job, JobState state) {
		List<Integer> removed = this.outbox.removePendingChunks(job.getId());
		if (!removed.isEmpty() && !job.getState().isTerminal()) {
			this.recording.record(job.getId(),
					removed.stream()
						.map((chunkNo) -> TracedResult.untraced(new ChunkCompleted(job.getId(), chunkNo, 0,
								job.getModel(), job.getModelVersion(), "api-service", ItemResults.EMPTY, true)))
						.toList());
		}
		this.outbox.appendControl(new JobControl(job.getId(), state.name()));
	}

}
