package dev.batchline.api.job;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row of a job's state history. */
@Entity
@Table(name = "job_state_history")
class JobStateChange {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	private UUID jobId;

	@Enumerated(EnumType.STRING)
	private JobState fromState;

	@Enumerated(EnumType.STRING)
	private JobState toState;

	private String reason;

	private Instant changedAt;

	protected JobStateChange() {
	}

	JobStateChange(UUID jobId, JobState fromState, JobState toState, String reason, Instant changedAt) {
		this.jobId = jobId;
		this.fromState = fromState;
		this.toState = toState;
		this.reason = reason;
		this.changedAt = changedAt;
	}

	JobState getFromState() {
		return this.fromState;
	}

	JobState getToState() {
		return this.toState;
	}

	String getReason() {
		return this.reason;
	}

	Instant getChangedAt() {
		return this.changedAt;
	}

}
