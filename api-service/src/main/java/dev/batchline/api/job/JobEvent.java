package dev.batchline.api.job;

/**
 * One event of a job's event stream, the same on every door: a state change, or progress
 * (the item counts).
 *
 * @param id the event's id: a client that saw it resumes after it
 * @param change the state change of a {@code state} event, else null
 * @param counts the item counts of a {@code progress} event, else null
 */
public record JobEvent(JobEventId id, JobView.StateChange change, JobView.Counts counts) {

	/** The event name of a state change. */
	public static final String STATE = "state";

	/** The event name of progress. */
	public static final String PROGRESS = "progress";

	/** {@link #STATE} or {@link #PROGRESS}. */
	public String name() {
		return (this.change != null) ? STATE : PROGRESS;
	}

	/** Whether this is the job's last event: the change to a terminal state. */
	public boolean terminal() {
		return this.change != null && this.change.to().isTerminal();
	}

}
