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
 * How jobs end when nobody finishes them ({@code batchline.api.jobs.*}, e.g.
 * {@code BATCHLINE_API_JOBS_DEFAULT_COMPLETION_WINDOW}).
 *
 * @param defaultCompletionWindow a job's completion window when it asks for none
 * @param maxCompletionWindow the longest completion window a job may ask for
 * @param sweepInterval how often the expiry sweep and the watchdog look at unfinished
 * jobs
 * @param stallTimeout how long a job may go without a recorded result, while the workers
 * have no backlog, before the watchdog re-drives its unanswered chunks
 * @param maxRedrives how often the watchdog re-drives a chunk before it fails its items
 * @param workerGroup the workers' Kafka consumer group, whose lag tells the watchdog
 * whether chunks are still queued
 * @param idempotencyRetention how long an {@code Idempotency-Key} is remembered
 */
@Validated
@ConfigurationProperties("batchline.api.jobs")
public record JobLifecycleProperties(@DefaultValue("24h") @NotNull Duration defaultCompletionWindow,
		@DefaultValue("7d") @NotNull Duration maxCompletionWindow, @DefaultValue("5s") @NotNull Duration sweepInterval,
		@DefaultValue("60s") @NotNull Duration stallTimeout, @DefaultValue("3") @Min(0) int maxRedrives,
		@DefaultValue(ConsumerGroups.WORKERS) @NotBlank String workerGroup,
		@DefaultValue("24h") @NotNull Duration idempotencyRetention) {

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

}
