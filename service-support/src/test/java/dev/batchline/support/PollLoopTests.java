package dev.batchline.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

class PollLoopTests {

	private PollLoop loop;

	@AfterEach
	void stop() {
		if (this.loop != null) {
			this.loop.stop();
		}
	}

	@Test
	void runsRoundsBackToBackWhileTheyFindMoreWork() {
		AtomicInteger rounds = new AtomicInteger();
		this.loop = PollLoop.named("test-loop", () -> rounds.incrementAndGet() < 5)
			.pollInterval(Duration.ofHours(1))
			.build();
		this.loop.start();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds).hasValue(5));
		// the fifth round found nothing: the loop now waits for an hour or a wake-up
		assertThat(rounds).hasValue(5);
	}

	@Test
	void aWakeUpRunsARoundBeforeThePollIntervalEnds() {
		AtomicInteger rounds = new AtomicInteger();
		this.loop = PollLoop.named("test-loop", () -> {
			rounds.incrementAndGet();
			return false;
		}).pollInterval(Duration.ofHours(1)).build();
		this.loop.start();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds).hasValue(1));
		this.loop.wakeUp();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds).hasValue(2));
	}

	@Test
	void pollsAgainAfterThePollInterval() {
		AtomicInteger rounds = new AtomicInteger();
		this.loop = PollLoop.named("test-loop", () -> {
			rounds.incrementAndGet();
			return false;
		}).pollInterval(Duration.ofMillis(20)).build();
		this.loop.start();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds.get()).isGreaterThanOrEqualTo(5));
	}

	@Test
	void backsOffExponentiallyAfterFailuresAndResetsAfterASuccess() {
		AtomicInteger rounds = new AtomicInteger();
		long[] startedAt = new long[6];
		this.loop = PollLoop.named("test-loop", () -> {
			int round = rounds.getAndIncrement();
			if (round < startedAt.length) {
				startedAt[round] = System.nanoTime();
			}
			if (round < 4) {
				throw new IllegalStateException("broker away");
			}
			return false;
		}).pollInterval(Duration.ofHours(1)).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
		this.loop.start();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds).hasValue(5));
		// pauses of 50, 100, 200 and 200 ms (capped) between the failed rounds
		assertThat(millisBetween(startedAt[0], startedAt[1])).isGreaterThanOrEqualTo(45);
		assertThat(millisBetween(startedAt[1], startedAt[2])).isGreaterThanOrEqualTo(95);
		assertThat(millisBetween(startedAt[2], startedAt[3])).isGreaterThanOrEqualTo(190);
		assertThat(millisBetween(startedAt[3], startedAt[4])).isGreaterThanOrEqualTo(190).isLessThan(2_000);
		// the round after the success waits for the poll interval, not a backoff
		this.loop.wakeUp();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rounds).hasValue(6));
	}

	@Test
	void stopLetsTheRoundInFlightFinish() throws InterruptedException {
		CountDownLatch inRound = new CountDownLatch(1);
		AtomicLong finished = new AtomicLong();
		this.loop = PollLoop.named("test-loop", () -> {
			inRound.countDown();
			Thread.sleep(200);
			finished.incrementAndGet();
			return true;
		}).pollInterval(Duration.ofHours(1)).build();
		this.loop.start();
		assertThat(inRound.await(5, TimeUnit.SECONDS)).isTrue();
		this.loop.stop();
		assertThat(finished).hasValue(1);
		assertThat(this.loop.isRunning()).isFalse();
	}

	@Test
	void stopInterruptsARoundThatOutlastsTheGrace() throws InterruptedException {
		CountDownLatch inRound = new CountDownLatch(1);
		AtomicInteger interrupted = new AtomicInteger();
		this.loop = PollLoop.named("test-loop", () -> {
			inRound.countDown();
			try {
				Thread.sleep(Duration.ofHours(1));
			}
			catch (InterruptedException ex) {
				interrupted.incrementAndGet();
				throw ex;
			}
			return false;
		}).pollInterval(Duration.ofHours(1)).stopGrace(Duration.ofMillis(100)).build();
		this.loop.start();
		assertThat(inRound.await(5, TimeUnit.SECONDS)).isTrue();
		long started = System.nanoTime();
		this.loop.stop();
		assertThat(interrupted).hasValue(1);
		assertThat(millisBetween(started, System.nanoTime())).isLessThan(2_000);
	}

	@Test
	void refusesAMissingOrNonPositivePollInterval() {
		assertThatIllegalArgumentException().isThrownBy(() -> PollLoop.named("test-loop", () -> false).build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PollLoop.named("test-loop", () -> false).pollInterval(Duration.ZERO));
	}

	private static long millisBetween(long fromNanos, long toNanos) {
		return (toNanos - fromNanos) / 1_000_000;
	}

}
