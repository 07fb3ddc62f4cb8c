package dev.batchline.api.job;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JobSweeperTests {

	@Test
	void runsEveryTaskEachIntervalUntilStopped() {
		AtomicInteger expiry = new AtomicInteger();
		AtomicInteger watchdog = new AtomicInteger();
		JobSweeper sweeper = new JobSweeper(
				Map.of("expiry", expiry::incrementAndGet, "watchdog", watchdog::incrementAndGet),
				Duration.ofMillis(20));
		sweeper.start();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(expiry.get()).isGreaterThanOrEqualTo(3);
			assertThat(watchdog.get()).isGreaterThanOrEqualTo(3);
		});
		sweeper.stop();
		assertThat(sweeper.isRunning()).isFalse();
		int after = expiry.get();
		await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> expiry.get() == after);
	}

	@Test
	void aFailingTaskDoesNotKeepTheOtherFromRunning() {
		AtomicInteger expiryTries = new AtomicInteger();
		AtomicInteger watchdog = new AtomicInteger();
		JobSweeper sweeper = new JobSweeper(Map.of("expiry", () -> {
			expiryTries.incrementAndGet();
			throw new IllegalStateException("PostgreSQL away");
		}, "watchdog", watchdog::incrementAndGet), Duration.ofMillis(20));
		sweeper.start();
		try {
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(expiryTries.get()).isGreaterThanOrEqualTo(3);
				assertThat(watchdog.get()).isGreaterThanOrEqualTo(3);
			});
		}
		finally {
			sweeper.stop();
		}
	}

}
