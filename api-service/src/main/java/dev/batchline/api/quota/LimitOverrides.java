package dev.batchline.api.quota;

import java.util.stream.Stream;

import dev.batchline.api.system.ApiException;

/**
 * The limits set for one tenant through the admin API; a null keeps the default.
 *
 * @param requestsPerSecond requests per second
 * @param jobsPerSecond jobs submitted per second
 * @param itemsPerMinute items submitted per minute
 * @param jobsInFlight jobs not yet finished
 * @param webhookEndpoints webhook endpoints
 * @param storedBytes bytes of input and results kept stored
 */
public record LimitOverrides(Long requestsPerSecond, Long jobsPerSecond, Long itemsPerMinute, Long jobsInFlight,
		Long webhookEndpoints, Long storedBytes) {

	/** No overrides. */
	static final LimitOverrides NONE = new LimitOverrides(null, null, null, null, null, null);

	/**
	 * Checks that every limit set is a positive number.
	 * @return these overrides
	 * @throws ApiException 422 for a limit below 1
	 */
	public LimitOverrides checked() {
		if (Stream
			.of(this.requestsPerSecond, this.jobsPerSecond, this.itemsPerMinute, this.jobsInFlight,
					this.webhookEndpoints, this.storedBytes)
			.anyMatch((limit) -> limit != null && limit < 1)) {
			throw ApiException.invalid("every limit must be a positive number, or null for the default");
		}
		return this;
	}

}
