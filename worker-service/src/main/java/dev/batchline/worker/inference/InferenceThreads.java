package dev.batchline.worker.inference;

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
 * hands over its work and waits for the result, in the order the work came (one queue).
 * While one consumer thread waits for Kafka (its poll, its sends, its transaction's
 * commit) the inference threads go on with another's items, so the model does not wait
 * for Kafka. Each inference thread keeps its own predictors and input buffers (both are
 * per thread).
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
	 * result. The wait is not cut short by an interrupt, as a predict call in place would
	 * not be: the result is returned and the thread's interrupt flag set again.
	 * @throws RuntimeException what the work threw, as it threw it
	 * @throws InferenceStoppedException when the threads have been stopped
	 */
	<T> T call(Supplier<T> work) {
		if (Boolean.TRUE.equals(this.onPool.get())) {
			return work.get();
		}
		Future<T> result;
		try {
			result = this.executor.submit(work::get);
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
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.executor.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

}
