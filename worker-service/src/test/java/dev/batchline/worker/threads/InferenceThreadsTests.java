package dev.batchline.worker.threads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inference threads the consumer threads share: at most so many calls at once, on the
 * pool's threads, with the callers' results and failures as they were.
 */
class InferenceThreadsTests {

	@Test
	void oneThreadRunsTheCallsOfManyCallersOneAtATime() throws Exception {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		List<String> threadNames = new ArrayList<>();
		try (InferenceThreads threads = new InferenceThreads(1)) {
			ExecutorService callers = Executors.newFixedThreadPool(4);
			List<Future<Integer>> sums = new ArrayList<>();
			for (int caller = 0; caller < 4; caller++) {
				int base = caller * 1000;
				sums.add(callers.submit(() -> {
					int sum = 0;
					for (int call = 0; call < 10; call++) {
						int n = base + call;
						sum += threads.call(() -> {
							most.accumulateAndGet(running.incrementAndGet(), Math::max);
							synchronized (threadNames) {
								threadNames.add(Thread.currentThread().getName());
							}
							sleep(2);
							running.decrementAndGet();
							return n;
						});
					}
					return sum;
				}));
			}
			for (int caller = 0; caller < 4; caller++) {
				assertThat(sums.get(caller).get(30, TimeUnit.SECONDS)).isEqualTo(caller * 1000 * 10 + 45);
			}
			callers.shutdown();
		}
		assertThat(most.get()).isEqualTo(1);
		assertThat(threadNames).hasSize(40).allMatch("inference-0"::equals);
	}

	@Test
	void twoThreadsRunTwoCallsAtOnce() throws Exception {
		// each call waits for the other: with one thread this would time out
		CountDownLatch both = new CountDownLatch(2);
		try (InferenceThreads threads = new InferenceThreads(2)) {
			ExecutorService callers = Executors.newFixedThreadPool(2);
			List<Future<Boolean>> met = new ArrayList<>();
			for (int caller = 0; caller < 2; caller++) {
				met.add(callers.submit(() -> threads.call(() -> {
					both.countDown();
					try {
						return both.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						throw new IllegalStateException(ex);
					}
				})));
			}
			assertThat(met.get(0).get(30, TimeUnit.SECONDS)).isTrue();
			assertThat(met.get(1).get(30, TimeUnit.SECONDS)).isTrue();
			callers.shutdown();
		}
	}

	@Test
	void aFailureReachesTheCallerAsItWasThrown() {
		IllegalArgumentException failure = new IllegalArgumentException("bad batch");
		try (InferenceThreads threads = new InferenceThreads(1)) {
			assertThatThrownBy(() -> threads.call(() -> {
				throw failure;
			})).isSameAs(failure);
			// and the thread goes on with the next call
			assertThat(threads.call(() -> 42)).isEqualTo(42);
		}
	}

	@Test
	void aCallAfterCloseSaysTheThreadsHaveStopped() {
		InferenceThreads threads = new InferenceThreads(1);
		threads.close();
		// not a failure of the work: the listener lets it through instead of
		// dead-lettering
		assertThatThrownBy(() -> threads.call(() -> 1)).isInstanceOf(InferenceStoppedException.class);
	}

	@Test
	void closeStopsWorkThatOutlastsTheGraceAndFailsTheCallsStillWaiting() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		InferenceThreads threads = new InferenceThreads(1, Duration.ofMillis(200));
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			// the one thread is held by a call that would never end on its own
			Future<Boolean> running = callers.submit(() -> threads.call(() -> {
				started.countDown();
				try {
					return never.await(1, TimeUnit.MINUTES);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException("interrupted", ex);
				}
			}));
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			// and a second call waits behind it in the queue
			Future<Integer> waiting = callers.submit(() -> threads.call(() -> 2));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (threads.waitingCalls() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(threads.waitingCalls()).isEqualTo(1);
			threads.close();
			assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
				.hasRootCauseInstanceOf(InterruptedException.class);
			// the queued call did not run: its caller hears that the threads stopped
			// instead of waiting for ever
			assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
				.hasCauseInstanceOf(InferenceStoppedException.class)
				.hasRootCauseInstanceOf(CancellationException.class);
		}
		finally {
			callers.shutdownNow();
		}
	}

	@Test
	void anInterruptDoesNotCutTheWaitShort() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean interruptedAfter = new AtomicBoolean();
		AtomicInteger result = new AtomicInteger();
		try (InferenceThreads threads = new InferenceThreads(1)) {
			Thread caller = new Thread(() -> {
				result.set(threads.call(() -> {
					started.countDown();
					sleep(300);
					return 7;
				}));
				interruptedAfter.set(Thread.currentThread().isInterrupted());
			});
			caller.start();
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			caller.interrupt();
			caller.join(10_000);
			assertThat(caller.isAlive()).isFalse();
		}
		assertThat(result.get()).isEqualTo(7);
		assertThat(interruptedAfter).isTrue();
	}

	@Test
	void aCallFromAnInferenceThreadRunsInPlace() {
		try (InferenceThreads threads = new InferenceThreads(1)) {
			// with one thread a nested hand-over would wait for itself forever
			String inner = threads.call(() -> threads.call(() -> Thread.currentThread().getName()));
			assertThat(inner).isEqualTo("inference-0");
		}
	}

	@Test
	void aBatchCallWaitsWhileAPredictionRuns() throws Exception {
		try (InferenceThreads threads = new InferenceThreads(1, 1, Duration.ofSeconds(30))) {
			CountDownLatch release = new CountDownLatch(1);
			Thread prediction = predictUntil(threads, release);
			AtomicBoolean ranWhilePredicting = new AtomicBoolean();
			AtomicBoolean released = new AtomicBoolean();
			Thread batch = new Thread(() -> threads.call(Lane.BATCH, () -> {
				ranWhilePredicting.set(!released.get());
				return null;
			}));
			batch.start();
			Thread.sleep(20);
			released.set(true);
			release.countDown();
			batch.join(10_000);
			prediction.join(10_000);
			assertThat(ranWhilePredicting).isFalse();
		}
	}

	@Test
	void aBatchCallWaitsForPredictionsAtMostTheYieldLimit() throws Exception {
		try (InferenceThreads threads = new InferenceThreads(1, 1, Duration.ofSeconds(30))) {
			CountDownLatch release = new CountDownLatch(1);
			Thread prediction = predictUntil(threads, release);
			long start = System.nanoTime();
			// the prediction goes on: the batch call begins after the yield limit anyway
			assertThat(threads.call(Lane.BATCH, () -> 42)).isEqualTo(42);
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			release.countDown();
			prediction.join(10_000);
			assertThat(waited).isGreaterThanOrEqualTo(InferenceThreads.MAX_YIELD).isLessThan(Duration.ofSeconds(5));
		}
	}

	/** A prediction that runs until the latch opens, started and running on return. */
	private static Thread predictUntil(InferenceThreads threads, CountDownLatch release) throws InterruptedException {
		CountDownLatch predicting = new CountDownLatch(1);
		Thread prediction = new Thread(() -> threads.call(Lane.PREDICT, () -> {
			predicting.countDown();
			await(release);
			return null;
		}));
		prediction.start();
		assertThat(predicting.await(10, TimeUnit.SECONDS)).isTrue();
		return prediction;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
