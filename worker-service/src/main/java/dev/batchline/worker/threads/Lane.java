package dev.batchline.worker.threads;

/**
 * The two lanes of a worker's inference threads. Each lane has threads of its own, so a
 * synchronous prediction never waits in the queue behind a batch backlog's calls.
 */
public enum Lane {

	/** Chunks of batch jobs, and the warm-up. */
	BATCH("inference-"),

	/** Synchronous predictions. */
	PREDICT("prediction-");

	private final String threadPrefix;

	Lane(String threadPrefix) {
		this.threadPrefix = threadPrefix;
	}

	/** The lowercase name, as the metrics tag it. */
	public String tag() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

	String threadPrefix() {
		return this.threadPrefix;
	}

}
