package dev.batchline.worker.system;

import java.time.Duration;

import dev.batchline.contracts.ConsumerGroups;

/**
 * The worker's settings for tests that make its parts without Spring: the defaults, no
 * warm-up, and what the test is about.
 */
public final class WorkerPropertiesFixtures {

	private WorkerPropertiesFixtures() {
	}

	/**
	 * The settings with the given batch size and inline-ops setting.
	 * @param maxBatchSize the most rows in one predict call
	 * @param inlineOps whether the calling thread runs a predict call's operations
	 * @return the settings
	 */
	public static WorkerProperties withBatch(int maxBatchSize, boolean inlineOps) {
		return withCache(maxBatchSize, inlineOps, 64L * 1024 * 1024);
	}

	/**
	 * The settings with the given batch size, inline-ops setting and result cache size.
	 * @param maxBatchSize the most rows in one predict call
	 * @param inlineOps whether the calling thread runs a predict call's operations
	 * @param cacheMaxBytes the most bytes of the result cache
	 * @return the settings
	 */
	public static WorkerProperties withCache(int maxBatchSize, boolean inlineOps, long cacheMaxBytes) {
		return settings(maxBatchSize, inlineOps, cacheMaxBytes, "cpu");
	}

	/**
	 * The default settings on a device.
	 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
	 * @return the settings
	 */
	public static WorkerProperties onDevice(String device) {
		return settings(64, false, 64L * 1024 * 1024, device);
	}

	private static WorkerProperties settings(int maxBatchSize, boolean inlineOps, long cacheMaxBytes, String device) {
		return new WorkerProperties(maxBatchSize, Duration.ofMillis(20), 1, 1, 1, Duration.ZERO, 10_000,
				ConsumerGroups.WORKERS, device, null, null, Duration.ZERO, inlineOps,
				new WorkerProperties.Cache(cacheMaxBytes, Duration.ofHours(1)));
	}

}
