package dev.batchline.api.job;

import dev.batchline.contracts.JobEvent;

/**
 * The states of a job and the one table of allowed transitions.
 */
public enum JobState {

	QUEUED, RUNNING, CANCELLING, SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, CANCELLED, EXPIRED;

	/** Whether a job in this state may move to {@code next}. */
	public boolean canMoveTo(JobState next) {
		return switch (this) {
			case QUEUED -> next == RUNNING || next == CANCELLING || next == EXPIRED;
			case RUNNING -> next == SUCCEEDED || next == PARTIALLY_SUCCEEDED || next == FAILED || next == CANCELLING
					|| next == EXPIRED;
			case CANCELLING -> next == CANCELLED || next == EXPIRED;
			case SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, CANCELLED, EXPIRED -> false;
		};
	}

	/** Whether the job is finished: no transition leaves this state. */
	public boolean isTerminal() {
		return switch (this) {
			case SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, CANCELLED, EXPIRED -> true;
			case QUEUED, RUNNING, CANCELLING -> false;
		};
	}

	/** The {@code job.*} event announcing that a job entered this state, if any. */
	String eventType() {
		return switch (this) {
			case QUEUED -> JobEvent.QUEUED;
			case RUNNING -> JobEvent.RUNNING;
			case SUCCEEDED -> JobEvent.SUCCEEDED;
			case PARTIALLY_SUCCEEDED -> JobEvent.PARTIALLY_SUCCEEDED;
			case FAILED -> JobEvent.FAILED;
			case CANCELLED -> JobEvent.CANCELLED;
			case EXPIRED -> JobEvent.EXPIRED;
			case CANCELLING -> "job.cancelling";
		};
	}

}
