package dev.batchline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A daemon thread that runs a sampling task at a fixed interval until closed; a task that
 * fails skips that sample.
 */
final class Sampling implements AutoCloseable {

	private final Thread thread;

	private volatile boolean running = true;

	private Sampling(String name, Duration interval, Runnable task) {
		this.thread = Thread.ofPlatform().daemon().name(name).start(() -> {
			while (this.running) {
				try {
					task.run();
				}
				catch (RuntimeException ex) {
					// a process gone between listing and reading it: no sample this time
				}
				try {
					Thread.sleep(interval);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
	}

	/** Starts running {@code task} now and then every {@code interval}. */
	static Sampling every(Duration interval, String name, Runnable task) {
		return new Sampling(name, interval, task);
	}

	/** A process and all its descendants (PostgreSQL's postmaster and its backends). */
	static List<Long> withDescendants(long pid) {
		List<Long> pids = new ArrayList<>();
		pids.add(pid);
		ProcessHandle.of(pid).ifPresent((handle) -> handle.descendants().forEach((child) -> pids.add(child.pid())));
		return pids;
	}

	/** Stops sampling (waits up to 2 s for the thread to end). */
	@Override
	public void close() {
		this.running = false;
		this.thread.interrupt();
		try {
			this.thread.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
