package dev.batchline.api.quota;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The default rate limits and quotas of every tenant ({@code batchline.api.limits.*});
 * the admin API overrides them per tenant.
 *
 * @param enabled whether limits apply at all
 * @param requestsPerSecond requests per second per tenant (a token bucket: this many at
 * once, refilled at this rate)
 * @param jobsPerSecond jobs submitted per second per tenant (a token bucket)
 * @param itemsPerMinute items submitted per minute per tenant (a job costs its items)
 * @param jobsInFlight jobs not yet finished per tenant
 * @param webhookEndpoints webhook endpoints per tenant
 * @param storedBytes bytes of input and results a tenant's jobs keep stored
 * @param replaysPerHour webhook replays (of a delivery or of an endpoint's failures) per
 * hour per tenant
 * @param failedAuthPerMinute requests with a missing or wrong key per client address per
 * minute, before its requests are refused without a look at the key
 * @param bucketCleanupInterval how often buckets not used for a while are deleted
 * @param bucketSyncInterval how long a replica may take tokens from its copy of a bucket
 * before it writes them to the bucket's row ({@code Quotas})
 */
@Validated
@ConfigurationProperties("batchline.api.limits")
public record LimitsProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("100") @Min(1) long requestsPerSecond, @DefaultValue("10") @Min(1) long jobsPerSecond,
		@DefaultValue("2000000") @Min(1) long itemsPerMinute, @DefaultValue("100") @Min(1) long jobsInFlight,
		@DefaultValue("50") @Min(1) long webhookEndpoints, @DefaultValue("10737418240") @Min(1) long storedBytes,
		@DefaultValue("60") @Min(1) long replaysPerHour, @DefaultValue("60") @Min(1) long failedAuthPerMinute,
		@DefaultValue("60s") @NotNull Duration bucketCleanupInterval,
		@DefaultValue("100ms") @NotNull Duration bucketSyncInterval) {

	/** The defaults as limits. */
	TenantLimits defaults() {
		return new TenantLimits(this.requestsPerSecond, this.jobsPerSecond, this.itemsPerMinute, this.jobsInFlight,
				this.webhookEndpoints, this.storedBytes);
	}

}
