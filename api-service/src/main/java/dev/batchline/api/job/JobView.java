package dev.batchline.api.job;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchline.api.system.PublicUrls;
import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

/**
 * A job as the API shows it.
 *
 * @param id the job id
 * @param state the state
 * @param model the model name
 * @param version the model version
 * @param cache whether the workers may answer its items from their result cache
 * @param counts item counts
 * @param metadata the caller's metadata
 * @param callback where the job's terminal event is also sent
 * @param createdAt when it was submitted
 * @param startedAt when its first result was recorded
 * @param finishedAt when it reached a terminal state
 * @param updatedAt when it last changed
 * @param expiresAt the end of its completion window
 * @param outputExpiresAfter how long its results are kept after it finishes
 * @param resultsExpireAt when its results are purged (once it has finished)
 * @param purgedAt when its results were purged
 * @param history every state change, oldest first (only on the single-job view)
 * @param links where to look next
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(UUID id, JobState state, String model, String version, boolean cache, Counts counts,
		JsonNode metadata, Callback callback, Instant createdAt, Instant startedAt, Instant finishedAt,
		Instant updatedAt, Instant expiresAt, OutputExpiresAfter outputExpiresAfter, Instant resultsExpireAt,
		Instant purgedAt, List<StateChange> history, Map<String, String> links) {

	public record Counts(long total, long succeeded, long failed, long skipped, long pending) {

		/**
		 * A job's counts: items without a result count as skipped once the job is
		 * cancelled or expired, as pending before.
		 */
		static Counts of(JobState state, long total, long succeeded, long failed) {
			long unprocessed = total - succeeded - failed;
			long skipped = (state == JobState.CANCELLED || state == JobState.EXPIRED) ? unprocessed : 0;
			return new Counts(total, succeeded, failed, skipped, unprocessed - skipped);
		}

	}

	public record Callback(String url) {
	}

	/** OpenAI's form: seconds after the output is complete (the job finished). */
	public record OutputExpiresAfter(String anchor, long seconds) {

		static OutputExpiresAfter of(Duration retention) {
			return new OutputExpiresAfter("created_at", retention.toSeconds());
		}

	}

	public record StateChange(JobState from, JobState to, String reason, Instant at) {
	}

	static JobView of(Job job, List<JobStateChange> history) {
		return of(job.getId(), job.getState(), job.getModel(), job.getModelVersion(), job.isCache(),
				job.getTotalItems(), job.getSucceededItems(), job.getFailedItems(), job.getMetadata(),
				job.getCallbackUrl(), job.getCreatedAt(), job.getStartedAt(), job.getFinishedAt(), job.getUpdatedAt(),
				job.getExpiresAt(), job.getResultsRetention(), job.getResultsExpireAt(), job.getPurgedAt(),
				(history != null) ? history.stream()
					.map((c) -> new StateChange(c.getFromState(), c.getToState(), c.getReason(), c.getChangedAt()))
					.toList() : null);
	}

	/** The view of a job read as columns (the status read, {@link JobReads}). */
	static JobView of(UUID id, JobState state, String model, String version, boolean cache, long total, long succeeded,
			long failed, String metadata, String callbackUrl, Instant createdAt, Instant startedAt, Instant finishedAt,
			Instant updatedAt, Instant expiresAt, Duration resultsRetention, Instant resultsExpireAt, Instant purgedAt,
			List<StateChange> history) {
		String self = PublicUrls.of("/v1/jobs/" + id);
		return new JobView(id, state, model, version, cache, Counts.of(state, total, succeeded, failed),
				(metadata != null) ? EventCodec.tree(metadata.getBytes(StandardCharsets.UTF_8)) : null,
				(callbackUrl != null) ? new Callback(callbackUrl) : null, createdAt, startedAt, finishedAt, updatedAt,
				expiresAt, OutputExpiresAfter.of(resultsRetention), resultsExpireAt, purgedAt, history, Map.of("self",
						self, "results", self + "/results", "errors", self + "/errors", "cancel", self + "/cancel"));
	}

}
