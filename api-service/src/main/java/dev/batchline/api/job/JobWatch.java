package dev.batchline.api.job;

import java.util.List;
import java.util.UUID;

/**
 * Where a watched job stands, read in one snapshot with its newer state changes
 * ({@link JobManagement#watch}).
 *
 * @param id the job id
 * @param state its state
 * @param counts its item counts, as the job's view shows them
 * @param changes its state changes after the one asked for, oldest first
 */
public record JobWatch(UUID id, JobState state, JobView.Counts counts, List<Change> changes) {

	/** Items with a result, succeeded or failed: it only grows. */
	public long processed() {
		return this.counts.succeeded() + this.counts.failed();
	}

	/**
	 * A state change with its place in the job's history.
	 *
	 * @param sequence its place: 1 for the first ({@code QUEUED}), then 2, 3, …
	 * @param change the change as the job's view shows it
	 */
	public record Change(int sequence, JobView.StateChange change) {
	}

}
