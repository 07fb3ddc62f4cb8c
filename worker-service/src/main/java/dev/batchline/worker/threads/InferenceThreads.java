package dev.batchline.worker.threads;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.batchline.worker.system.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

/**
 * The threads a worker predicts on, in two {@link Lane lanes} with threads of their own:
 * batch chunks (and the warm-up) on one, synchronous predictions on the other, so that a
 * prediction never queues behind a backlog. Within a lane, a consumer thread hands over
 * its work and waits for the result, in the order the work came (one queue). While one
 * consumer thread waits for Kafka (its poll, its sends, its transaction's commit) the
 * inference threads go on with another's items, so the model does not wait for Kafka. The
 * batch lane yields to the prediction lane: while predictions are handed over or running,
 * a batch call waits to begin (at most {@link #MAX_YIELD} at a time, so a steady stream
 * of predictions slows a backlog but never stops it), so that a prediction shares the
 * cores with as little batch work as may be. Each inference thread keeps its own
 * predictors and input buffers (both are per thread).
 */
@Component
// stopped before the models: no predictor is closed under a running predict call
@DependsOn("modelRepository")
public final class InferenceThreads implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(InferenceThreads.class);

	/** How long {@link #close()} lets running and waiting work finish. */
	private static final Duration GRACE = Duration.ofSeconds(30);

	/** The longest a batch call waits for the predictions before it begins. */
	static final Duration MAX_YIELD = Duration.ofMillis(50);

	/** Predictions handed over or running on the prediction lane. */
	private final AtomicInteger predicting = new AtomicInteger();

	private final Object predictionsDone = new Object();

	/** The lane of the current thread, set on the pools' own threads. */
	private final ThreadLocal<Lane> onPool = new ThreadLocal<>();

	private final Map<Lane, ThreadPoolExecutor> executors = new EnumMap<>(Lane.class);

	private final Duration grace;

	@Autowired
	public InferenceThreads(WorkerProperties properties) {
		this(properties.inferenceThreads(), properties.predictThreads(), GRACE);
	}

	InferenceThreads(int threads) {
		this(threads, 1, GRACE);
	}

	InferenceThreads(int threads, Duration grace) {
		this(threads, 1, grace);
	}

	/**
	 * @param threads how many inference threads on the batch lane
	 * @param predictThreads how many on the prediction lane
	 * @param grace how long {@link #close()} lets the work finish before it interrupts
	 * the threads, and then how long it waits for them again
	 */
	InferenceThreads(int threads, int predictThreads, Duration grace) {
		this.grace = grace;
		this.executors.put(Lane.BATCH, pool(Lane.BATCH, threads));
		this.executors.put(Lane.PREDICT, pool(Lane.PREDICT, predictThreads));
	}

	private ThreadPoolExecutor pool(Lane lane, int threads) {
		AtomicInteger serial = new AtomicInteger();
		return (ThreadPoolExecutor) Executors.newFixedThreadPool(threads, (task) -> {
			Thread thread = new Thread(() -> {
				this.onPool.set(lane);
				task.run();
			}, lane.threadPrefix() + serial.getAndIncrement());
			// a worker that stops without closing this (a test) is not held up by it
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Runs the work on the batch lane; see {@link #call(Lane, Supplier)}. */
	public <T> T call(Supplier<T> work) {
		return call(Lane.BATCH, work);
	}

	/**
	 * Runs the work on an inference thread of the lane (in place when called on one) and
	 * returns its result. The wait is not cut short by an interrupt, as a predict call in
	 * place would not be: the result is returned and the thread's interrupt flag set
	 * again.
	 * @throws RuntimeException what the work threw, as it threw it
	 * @throws InferenceStoppedException when the threads have been stopped
	 */
	public <T> T call(Lane lane, Supplier<T> work) {
		if (this.onPool.get() == lane) {
			return work.get();
		}
		if (lane == Lane.PREDICT) {
			this.predicting.incrementAndGet();
			try {
				return handOver(lane, work);
			}
			finally {
				if (this.predicting.decrementAndGet() == 0) {
					synchronized (this.predictionsDone) {
						this.predictionsDone.notifyAll();
					}
				}
			}
		}
		return handOver(lane, () -> {
			yieldToPredictions();
			return work.get();
		});
	}

	/** Waits, up to {@link #MAX_YIELD}, while the prediction lane has work. */
	private void yieldToPredictions() {
		if (this.predicting.get() == 0) {
			return;
		}
		long end = System.nanoTime() + MAX_YIELD.toNanos();
		synchronized (this.predictionsDone) {
			long left;
			while (this.predicting.get() > 0 && (left = end - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this.predictionsDone, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private <T> T handOver(Lane lane, Supplier<T> work) {
		Future<T> result;
		try {
			result = this.executors.get(lane).submit(work::get);
		}
		catch (RejectedExecutionException ex) {
			throw new InferenceStoppedException(ex);
		}
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return result.get();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
				catch (CancellationException ex) {
					// dropped from the queue by close() before a thread took it
					throw new InferenceStoppedException(ex);
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof RuntimeException runtime) {
						throw runtime;
					}
					if (ex.getCause() instanceof Error error) {
						throw error;
					}
					throw new IllegalStateException(ex.getCause());
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Lets running and waiting work finish (up to the grace period, 30 s), then
	 * interrupts the threads and cancels the work still waiting, whose callers then get
	 * an {@link InferenceStoppedException}. A predict call in native code does not stop
	 * on an interrupt, so it waits up to the grace period again for the threads to end.
	 */
	@Override
	public void close() {
		this.executors.values().forEach(ThreadPoolExecutor::shutdown);
		try {
			if (awaitTermination()) {
				return;
			}
			stopNow();
			if (!awaitTermination()) {
				log.warn("An inference thread was still running {} ms after the inference threads began to stop",
						this.grace.multipliedBy(2).toMillis());
			}
		}
		catch (InterruptedException ex) {
			stopNow();
			Thread.currentThread().interrupt();
		}
	}

	/** Waits up to the grace period for both lanes together. */
	private boolean awaitTermination() throws InterruptedException {
		long end = System.nanoTime() + this.grace.toNanos();
		for (ThreadPoolExecutor executor : this.executors.values()) {
			if (!executor.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				return false;
			}
		}
		return true;
	}

	/** Calls handed over on the batch lane that no inference thread has taken yet. */
	int waitingCalls() {
		return this.executors.get(Lane.BATCH).getQueue().size();
	}

	private void stopNow() {
		this.executors.values().forEach(this::stopNow);
	}

	private void stopNow(ThreadPoolExecutor executor) {
		for (Runnable waiting : executor.shutdownNow()) {
			// the executor's own tasks: without this their callers would wait forever
			if (waiting instanceof Future<?> work) {
				work.cancel(false);
			}
		}
	}

}
