package dev.batchline.api.job;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.JobEvent;
import dev.batchline.support.tracing.JobTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records chunk results, each exactly once (the primary key job + chunk), counts them,
 * starts a job on its first result and finishes it on its last. A result for a job or a
 * chunk that does not exist is an {@link UnrecordableResultException}.
 */
@Component
class ChunkRecording {

	private static final Logger log = LoggerFactory.getLogger(ChunkRecording.class);

	private final JobRepository jobs;

	private final ResultStore results;

	private final JobTransitions transitions;

	private final Clock clock;

	ChunkRecording(JobRepository jobs, ResultStore results, JobTransitions transitions, Clock clock) {
		this.jobs = jobs;
		this.results = results;
		this.transitions = transitions;
		this.clock = clock;
	}

	/**
	 * Records results of any jobs in the caller's transaction, locking each job once and
	 * the jobs in one order whatever the results' order (so recorders never deadlock on
	 * each other).
	 * @return how many results were new
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	int recordAll(List<TracedResult> results) {
		Map<UUID, List<TracedResult>> byJob = results.stream()
			.collect(Collectors.groupingBy((traced) -> traced.result().jobId(), TreeMap::new, Collectors.toList()));
		int recorded = 0;
		for (Map.Entry<UUID, List<TracedResult>> job : byJob.entrySet()) {
			recorded += record(job.getKey(), job.getValue());
		}
		return recorded;
	}

	/**
	 * Records chunk results of one job, in order, each exactly once; the job is locked
	 * and read once for all of them.
	 * @return how many were new
	 * @throws UnrecordableResultException for an unknown job or chunk
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	int record(UUID jobId, List<TracedResult> results) {
		Optional<Job> found = this.jobs.findForUpdate(jobId);
		if (found.isEmpty()) {
			throw new UnrecordableResultException(DeadLetterReasons.UNKNOWN_JOB,
					"the result names job " + jobId + ", which does not exist", null);
		}
		int recorded = 0;
		for (TracedResult traced : results) {
			try (JobTracing.Scope scope = traced.step().open()) {
				recorded += record(found.get(), traced.result()) ? 1 : 0;
			}
		}
		return recorded;
	}

	private boolean record(Job job, ChunkCompleted result) {
		if (result.chunk() < 0 || result.chunk() >= job.getTotalChunks()) {
			throw new UnrecordableResultException(DeadLetterReasons.UNKNOWN_CHUNK, "the result names chunk "
					+ result.chunk() + " of job " + job.getId() + ", which has " + job.getTotalChunks() + " chunks",
					null);
		}
		if (job.getState().isTerminal()) {
			// a finished job never changes again: an expired or cancelled job keeps what
			// it had when it finished
			log.debug("Job(id={}) chunk {}: result after the job finished ({}) ignored", job.getId(), result.chunk(),
					job.getState());
			return false;
		}
		long failed = result.failedCount();
		if (!this.results.insert(result, failed, this.clock.instant())) {
			log.debug("Job(id={}) chunk {}: duplicate result ignored", job.getId(), result.chunk());
			return false;
		}
		if (job.getState() == JobState.QUEUED && !result.skipped()) {
			this.transitions.move(job, JobState.RUNNING, "first results recorded");
		}
		job.countChunk(result.items().size() - failed, failed, result.items().json().length, this.clock.instant());
		if (!job.allChunksRecorded()) {
			if (passedATenth(job)) {
				this.transitions.announce(job, JobEvent.PROGRESS,
						job.getCompletedChunks() + " of " + job.getTotalChunks() + " chunks processed");
			}
		}
		else if (job.getState() == JobState.CANCELLING) {
			this.transitions.move(job, JobState.CANCELLED,
					"cancelled: " + (job.getSucceededItems() + job.getFailedItems()) + " items processed, "
							+ job.getUnprocessedItems() + " skipped");
		}
		else {
			JobState end = (job.getFailedItems() == 0) ? JobState.SUCCEEDED
					: (job.getSucceededItems() == 0) ? JobState.FAILED : JobState.PARTIALLY_SUCCEEDED;
			this.transitions.move(job, end,
					"all " + job.getTotalItems() + " items processed, " + job.getFailedItems() + " failed");
		}
		return true;
	}

	/**
	 * A progress event at every tenth of a job's chunks: at most nine per job, never a
	 * flood.
	 */
	private static boolean passedATenth(Job job) {
		int total = job.getTotalChunks();
		int done = job.getCompletedChunks();
		return total >= 10 && (done * 10L / total) > ((done - 1) * 10L / total);
	}

}
