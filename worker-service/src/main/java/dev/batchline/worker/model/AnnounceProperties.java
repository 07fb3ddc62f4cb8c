package dev.batchline.worker.model;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the worker announces its models ({@code batchline.worker.announce.*}, e.g.
 * {@code BATCHLINE_WORKER_ANNOUNCE_INTERVAL}).
 *
 * @param interval how often the worker announces its models again (its heartbeat); the
 * api-service forgets a worker's models after {@code batchline.api.catalog.expire-after}
 * without one, so keep that at about three intervals
 * @param workerId this worker's id in its announcements' keys and in the results and
 * answers it sends; unset: {@code <HOSTNAME>-<pid>}
 * @param endpoint the base URL the api-service asks this worker's prediction lane at
 * ({@code http://host:port}, announced with the models); unset: {@code http://}, this
 * host's address and the worker's HTTP port (set it where the api-service reaches the
 * worker otherwise, e.g. {@code http://$(POD_IP):8081})
 */
@Validated
@ConfigurationProperties("batchline.worker.announce")
public record AnnounceProperties(@DefaultValue(DEFAULT_INTERVAL) @NotNull Duration interval, String workerId,
		URI endpoint) {

	/** A third of the api-service's default expiry (30 s). */
	private static final String DEFAULT_INTERVAL = "10s";

	public AnnounceProperties {
		if (interval != null && interval.toMillis() < 100) {
			throw new IllegalArgumentException(
					"batchline.worker.announce.interval must be 100ms or more, got " + interval);
		}
		if (workerId == null || workerId.isBlank()) {
			workerId = System.getenv().getOrDefault("HOSTNAME", "worker") + "-" + ProcessHandle.current().pid();
		}
	}

}
