package dev.batchline.api.openai;

import java.time.Instant;
import java.util.List;

import dev.batchline.api.job.JobState;
import dev.batchline.api.job.JobView;
import dev.batchline.api.job.JobView.StateChange;
import tools.jackson.databind.JsonNode;

/**
 * A batch as OpenAI's API describes it, its status and times mapped from its job's:
 * {@code QUEUED} and {@code RUNNING} are {@code in_progress} (the input was validated
 * when the batch was made), the three ends of a job that ran are {@code completed}, and
 * {@code CANCELLING}, {@code CANCELLED} and {@code EXPIRED} keep their names. A batch
 * whose input was refused is {@code failed}, with the reasons in {@code errors}. The
 * output files are views of the results, ready the moment the job ends, so
 * {@code finalizing_at} is its end. Times are Unix seconds.
 */
record BatchObject(String id, String object, String endpoint, String model, Errors errors, String inputFileId,
		String completionWindow, String status, String outputFileId, String errorFileId, long createdAt,
		Long inProgressAt, Long expiresAt, Long finalizingAt, Long completedAt, Long failedAt, Long expiredAt,
		Long cancellingAt, Long cancelledAt, RequestCounts requestCounts, JsonNode metadata) {

	/** The reasons a batch's input was refused. */
	record Errors(String object, List<BatchError> data) {

		Errors(List<BatchError> data) {
			this("list", data);
		}

	}

	/** One reason: a problem's slug as {@code code}, and the input's line when known. */
	record BatchError(String code, String message, String param, Long line) {
	}

	record RequestCounts(long total, long completed, long failed) {
	}

	/**
	 * A stored batch.
	 * @param job its job (null when its input was refused, or once the job is forgotten)
	 */
	static BatchObject of(Batches.StoredBatch batch, JobView job) {
		if (batch.errors() != null || job == null) {
			boolean failed = batch.errors() != null;
			return new BatchObject(batch.id(), "batch", batch.endpoint().path(), batch.endpoint().model(),
					batch.errors(), batch.inputFileId(), batch.completionWindow(), failed ? "failed" : "expired", null,
					null, seconds(batch.createdAt()), null, null, null, null, seconds(batch.failedAt()), null, null,
					null, new RequestCounts(0, 0, 0), batch.metadata());
		}
		JobState state = job.state();
		String status = switch (state) {
			case QUEUED, RUNNING -> "in_progress";
			case SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED -> "completed";
			case CANCELLING -> "cancelling";
			case CANCELLED -> "cancelled";
			case EXPIRED -> "expired";
		};
		boolean ended = state.isTerminal();
		Long end = ended ? seconds(job.finishedAt()) : null;
		return new BatchObject(batch.id(), "batch", batch.endpoint().path(), batch.endpoint().model(), null,
				batch.inputFileId(), batch.completionWindow(), status,
				(ended && job.counts().succeeded() > 0) ? batch.outputFileId() : null,
				(ended && job.counts().failed() > 0) ? batch.errorFileId() : null, seconds(batch.createdAt()),
				seconds(job.createdAt()), seconds(job.expiresAt()), "completed".equals(status) ? end : null,
				"completed".equals(status) ? end : null, null, (state == JobState.EXPIRED) ? end : null,
				seconds(entered(job, JobState.CANCELLING)), (state == JobState.CANCELLED) ? end : null,
				new RequestCounts(job.counts().total(), job.counts().succeeded(), job.counts().failed()),
				batch.metadata());
	}

	private static Instant entered(JobView job, JobState state) {
		return job.history()
			.stream()
			.filter((change) -> change.to() == state)
			.map(StateChange::at)
			.findFirst()
			.orElse(null);
	}

	private static Long seconds(Instant at) {
		return (at != null) ? at.getEpochSecond() : null;
	}

}
