package dev.batchline.api.job;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How often the backlog gauges are read ({@code batchline.api.backlog-metrics.*}, e.g.
 * {@code BATCHLINE_API_BACKLOG_METRICS_INTERVAL}).
 *
 * @param interval how often the consumer groups' lag and the oldest queued chunk's age
 * are read for {@code /actuator/prometheus}
 */
@Validated
@ConfigurationProperties("batchline.api.backlog-metrics")
public record BacklogMetricsProperties(@DefaultValue("15s") @NotNull Duration interval) {

	public BacklogMetricsProperties {
		if (interval != null && (interval.isNegative() || interval.isZero())) {
			throw new IllegalArgumentException(
					"batchline.api.backlog-metrics.interval must be positive, got " + interval);
		}
	}

}
