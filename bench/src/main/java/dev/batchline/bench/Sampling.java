package dev.batchline.bench;

import java.time.Duration;

/** A daemon thread that runs a sampling task at a fixed interval until closed. */
final class Sampling implements AutoCloseable {

	private final Thread thread;

	private volatile boolean running = true;

	private Sampling(String name, Duration interval, Runnable task) {
		this.thread = Thread.ofPlatform().daemon().name(name).start(() -> {
			while (this.running) {
				task.run();
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

	/** Stops; returns when a sample in progress has finished. */
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
