package dev.batchline.api.quota;

/**
 * A tenant's limits: the defaults, or its own where the admin API set them.
 *
 * @param requestsPerSecond requests per second
 * @param jobsPerSecond jobs submitted per second
 * @param itemsPerMinute items submitted per minute
 * @param jobsInFlight jobs not yet finished
 * @param webhookEndpoints webhook endpoints
 * @param storedBytes bytes of input and results kept stored
 */
public record TenantLimits(long requestsPerSecond, long jobsPerSecond, long itemsPerMinute, long jobsInFlight,
		long webhookEndpoints, long storedBytes) {

	/** These limits with the overrides that are set. */
	TenantLimits with(LimitOverrides overrides) {
		return new TenantLimits(or(overrides.requestsPerSecond(), this.requestsPerSecond),
				or(overrides.jobsPerSecond(), this.jobsPerSecond), or(overrides.itemsPerMinute(), this.itemsPerMinute),
				or(overrides.jobsInFlight(), this.jobsInFlight),
				or(overrides.webhookEndpoints(), this.webhookEndpoints), or(overrides.storedBytes(), this.storedBytes));
	}

	private static long or(Long value, long otherwise) {
		return (value != null) ? value : otherwise;
	}

}
