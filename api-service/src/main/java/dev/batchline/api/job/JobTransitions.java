package dev.batchline.api.job;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import dev.batchline.api.outbox.Outbox;
import dev.batchline.contracts.JobEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one place a job changes state: checks the move against {@link JobState}'s table,
 * keeps it in the history and announces it as a {@code job.*} event through the outbox,
 * and releases a job's inputs when it ends ({@link JobInputs}), all in the caller's
 * transaction.
 */
@Component
class JobTransitions {

	private static final Logger log = LoggerFactory.getLogger(JobTransitions.class);

	private final JobStateChangeRepository history;

	private final Outbox outbox;

	private final Clock clock;

	private final MeterRegistry meters;

	private final JobInputs inputs;

	JobTransitions(JobStateChangeRepository history, Outbox outbox, JobInputs inputs, Clock clock,
			MeterRegistry meters) {
		this.history = history;
		this.outbox = outbox;
		this.inputs = inputs;
		this.clock = clock;
		this.meters = meters;
	}

	/** Records a new job's first state, {@code QUEUED}, and announces it. */
	@Transactional(propagation = Propagation.MANDATORY)
	void queued(Job job) {
		this.history.save(new JobStateChange(job.getId(), null, JobState.QUEUED, "submitted", job.getCreatedAt()));
		announce(job, JobState.QUEUED.eventType(), "submitted");
	}

	/**
	 * Moves a job to {@code next}.
	 * @throws IllegalStateException when {@link JobState} does not allow the move
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	void move(Job job, JobState next, String reason) {
		JobState from = job.getState();
		if (!from.canMoveTo(next)) {
			throw new IllegalStateException("Job(id=" + job.getId() + ") cannot move from " + from + " to " + next);
		}
		Instant now = this.clock.instant();
		job.moveTo(next, now);
		this.history.save(new JobStateChange(job.getId(), from, next, reason, now));
		announce(job, next.eventType(), reason);
		if (next.isTerminal()) {
			job.releaseInputs(this.inputs.release(job.getId()));
			this.meters.counter("batchline.jobs.finished", "model", job.getModel(), "state", next.name()).increment();
		}
		log.info("Job(id={}) {} -> {}: {}", job.getId(), from, next, reason);
	}

	/** Announces a change that is no state change (progress). */
	@Transactional(propagation = Propagation.MANDATORY)
	void announce(Job job, String type, String reason) {
		this.outbox.appendJobEvent(new JobEvent(UUID.randomUUID(), type, job.getUpdatedAt(), job.getId(),
				job.getTenantId(), job.getModel(), job.getModelVersion(), job.getState().name(), reason,
				job.getTotalItems(), job.getSucceededItems(), job.getFailedItems(),
				job.getState().isTerminal() ? job.getCallbackUrl() : null));
	}

}
