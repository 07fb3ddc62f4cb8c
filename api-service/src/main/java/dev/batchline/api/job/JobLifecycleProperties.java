package dev.batchline.api.job;

import java.time.Duration;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ConsumerGroups;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How jobs end when nobody finishes them, and how long what they leave is kept
 * ({@code batchline.api.jobs.*}, e.g.
 * {@code BATCHLINE_API_JOBS_DEFAULT_COMPLETION_WINDOW}).
 *
 * @param defaultCompletionWindow a job's completion window when it asks for none
 * @param maxCompletionWindow the longest completion window a job may ask for
 * @param sweepInterval how often the expiry sweep and the watchdog look at unfinished
 * jobs, and the results purge at finished ones
 * @param stallTimeout how long a job may go without a recorded result, while the workers
 * have no backlog, before the watchdog re-drives its unanswered chunks
 * @param maxRedrives how often the watchdog re-drives a chunk before it fails its items
 * @param workerGroup the workers' Kafka consumer group, whose lag tells the watchdog
 * whether chunks are still queued
 * @param idempotencyRetention how long an {@code Idempotency-Key} is remembered
 * @param defaultResultsRetention how long a job's results are kept after it finishes when
 * it asks for no {@code output_expires_after}
 * @param maxResultsRetention the longest {@code output_expires_after} a job may ask for
 * @param tombstoneRetention how long a job whose results were purged is still shown
 * (state, counts, history; its results answer 410) before it is deleted too
 * @param purgeBatchSize the most result rows (or tombstones) the purge deletes in one
 * transaction
 */
@Validated
@ConfigurationProperties("batchline.api.jobs")
public record JobLifecycleProperties(@DefaultValue("24h") @NotNull Duration defaultCompletionWindow,
		@DefaultValue("7d") @NotNull Duration maxCompletionWindow, @DefaultValue("5s") @NotNull Duration sweepInterval,
		@DefaultValue("60s") @NotNull Duration stallTimeout, @DefaultValue("3") @Min(0) int maxRedrives,
		@DefaultValue(ConsumerGroups.WORKERS) @NotBlank String workerGroup,
		@DefaultValue("24h") @NotNull Duration idempotencyRetention,
		@DefaultValue("30d") @NotNull Duration defaultResultsRetention,
		@DefaultValue("30d") @NotNull Duration maxResultsRetention,
		@DefaultValue("30d") @NotNull Duration tombstoneRetention, @DefaultValue("1000") @Min(1) int purgeBatchSize) {

	/**
	 * The shortest {@code output_expires_after} a job may ask for, OpenAI's lower bound.
	 */
	public static final Duration MIN_RESULTS_RETENTION = Duration.ofHours(1);

	public JobLifecycleProperties {
		if (defaultResultsRetention != null && maxResultsRetention != null
				&& (defaultResultsRetention.compareTo(MIN_RESULTS_RETENTION) < 0
						|| defaultResultsRetention.compareTo(maxResultsRetention) > 0)) {
			throw new IllegalArgumentException("batchline.api.jobs.default-results-retention ("
					+ defaultResultsRetention + ") must be between " + MIN_RESULTS_RETENTION
					+ " and batchline.api.jobs.max-results-retention (" + maxResultsRetention + ")");
		}
	}

	/**
	 * The completion window of a job that asked for {@code requested} (null: the
	 * default).
	 * @throws ApiException 422 past the maximum
	 */
	Duration completionWindow(Duration requested) {
		if (requested == null) {
			return this.defaultCompletionWindow;
		}
		if (requested.compareTo(this.maxCompletionWindow) > 0) {
			throw ApiException.invalid("'completion_window' must be at most " + this.maxCompletionWindow.toHours()
					+ "h (batchline.api.jobs.max-completion-window)");
		}
		return requested;
	}

	/**
	 * How long the results of a job that asked for {@code requested} (null: the default)
	 * are kept after it finishes.
	 * @throws ApiException 422 outside {@link #MIN_RESULTS_RETENTION} and the maximum
	 */
	Duration resultsRetention(Duration requested) {
		if (requested == null) {
			return this.defaultResultsRetention;
		}
		if (requested.compareTo(MIN_RESULTS_RETENTION) < 0 || requested.compareTo(this.maxResultsRetention) > 0) {
			throw ApiException
				.invalid("'output_expires_after' seconds must be between " + MIN_RESULTS_RETENTION.toSeconds() + " and "
						+ this.maxResultsRetention.toSeconds() + " (batchline.api.jobs.max-results-retention)");
		}
		return requested;
	}

}
