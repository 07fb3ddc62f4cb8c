package dev.batchline.api.model;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the model catalog ({@code batchline.api.catalog.*}, e.g.
 * {@code BATCHLINE_API_CATALOG_EXPIRE_AFTER}).
 *
 * @param expireAfter how long a worker's announcement of a model version counts after it
 * was sent: a worker that sends no heartbeat for this long (crashed) no longer serves it.
 * Keep it at about three of the workers' {@code batchline.worker.announce.interval}
 */
@Validated
@ConfigurationProperties("batchline.api.catalog")
public record ModelCatalogProperties(@DefaultValue(DEFAULT_EXPIRE_AFTER) @NotNull Duration expireAfter) {

	/** Three heartbeats of the workers' default interval (10 s). */
	private static final String DEFAULT_EXPIRE_AFTER = "30s";

	public ModelCatalogProperties {
		if (expireAfter != null && (expireAfter.isNegative() || expireAfter.isZero())) {
			throw new IllegalArgumentException(
					"batchline.api.catalog.expire-after must be positive, got " + expireAfter);
		}
	}

}
