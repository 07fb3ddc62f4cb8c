package dev.batchline.worker.inference;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads a worker predicts on, shared by its consumer threads: a consumer thread
 * hands over its work (one batch at a time, the next one before it waits for the last)
 * and waits for the result, in the order the work came (one queue). While one consumer
 * thread waits for Kafka (its poll, its sends, its transaction's commit) the inference
 * threads go on with another's items, so the model does not wait for Kafka. Each
 * inference thread keeps its own predictors and input buffers (both are per thread).
 */
final class InferenceThreads implements AutoCloseable {

	private static final String NAME = "inference-";

	/** Set on this pool's own threads. */
	private final ThreadLocal<Boolean> onPool = new ThreadLocal<>();

	private final ExecutorService executor;

	InferenceThreads(int threads) {
		AtomicInteger serial = new AtomicInteger();
		this.executor = Executors.newFixedThreadPool(threads, (task) -> {
			Thread thread = new Thread(() -> {
				this.onPool.set(Boolean.TRUE);
				task.run();
			}, NAME + serial.getAndIncrement());
			// a worker that stops without closing this (a test) is not held up by it
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Runs the work on an inference thread (in place when called on one) and returns its
	 * result: {@link #join} of {@link #submit}.
	 * @throws RuntimeException what the work threw, as it threw it
	 * @throws InferenceStoppedException when the threads have been stopped
	 */
	<T> T call(Supplier<T> work) {
		return join(submit(work));
	}

	/**
	 * Hands the work to the inference threads without waiting for it, behind the work
	 * already handed over; called on an inference thread, runs it in place. A caller that
	 * hands over its next work before it waits for the last keeps an inference thread
	 * busy while it handles the last one's result.
	 * @throws InferenceStoppedException when the threads have been stopped
	 */
	<T> Future<T> submit(Supplier<T> work) {
		if (Boolean.TRUE.equals(this.onPool.get())) {
			try {
				return CompletableFuture.completedFuture(work.get());
			}
			catch (RuntimeException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}
		try {
			return this.executor.submit(work::get);
		}
		catch (RejectedExecutionException ex) {
			throw new InferenceStoppedException(ex);
		}
	}

	/**
	 * Waits for work handed over by {@link #submit} and returns its result. The wait is
	 * not cut short by an interrupt, as a predict call in place would not be: the result
	 * is returned and the thread's interrupt flag set again.
	 * @throws RuntimeException what the work threw, as it threw it
	 * @throws InferenceStoppedException when the work was cancelled
	 */
	static <T> T join(Future<T> result) {
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

	/** Lets running work finish (up to 30 s), then stops the threads. */
	@Override
	public void close() {
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(30, TimeUnit.SECONDS)) {
				stopNow();
			}
		}
		catch (InterruptedException ex) {
			stopNow();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Interrupts running work and cancels the waiting work, so that no caller waits on.
	 */
	private void stopNow() {
		for (Runnable waiting : this.executor.shutdownNow()) {
			if (waiting instanceof Future<?> future) {
				future.cancel(false);
			}
		}
	}

}
