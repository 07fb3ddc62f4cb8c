package dev.batchline.bench;

import java.time.Duration;

/**
 * How much the benchmark does: the full run, or a quick one for trying it out.
 *
 * @param quick whether this is the quick mode
 * @param rounds measured rounds per scenario (each after a warm-up round)
 * @param workers worker processes
 * @param concurrency consumer threads per worker (BATCHLINE_WORKER_CONCURRENCY)
 * @param backlogItems scenario 1: the backlog drained per round
 * @param intakeItems scenario 2: items of the NDJSON job
 * @param latencyJobs scenario 3: 1-item jobs per round
 * @param reads scenario 4: load per endpoint and round
 * @param readConnections scenario 4: concurrent keep-alive connections
 * @param endToEndItems scenario 5: items of the job
 * @param raw scenario 1: DJL predict time per round
 * @param batch rows per predict call: the workers' max-batch-size and the raw limit's
 * batch
 */
record Plan(boolean quick, int rounds, int workers, int concurrency, int backlogItems, int intakeItems, int latencyJobs,
		Duration reads, int readConnections, int endToEndItems, Duration raw, int batch) {

	/**
	 * Rows per predict call unless {@code --batch} says otherwise: the worker's own
	 * default max-batch-size. The bench passes it to the workers
	 * ({@code BATCHLINE_WORKER_MAX_BATCH_SIZE}), so the workers and the raw limit always
	 * run the same batch.
	 */
	static final int DEFAULT_BATCH = 256;

	static Plan full(int workers, int concurrency) {
		return new Plan(false, 3, workers, concurrency, 200_000, 1_000_000, 100, Duration.ofSeconds(5), 8, 100_000,
				Duration.ofSeconds(3), DEFAULT_BATCH);
	}

	static Plan quick(int workers, int concurrency) {
		return new Plan(true, 1, workers, concurrency, 20_000, 100_000, 30, Duration.ofSeconds(2), 8, 10_000,
				Duration.ofSeconds(1), DEFAULT_BATCH);
	}

	Plan withRounds(int rounds) {
		return new Plan(this.quick, rounds, this.workers, this.concurrency, this.backlogItems, this.intakeItems,
				this.latencyJobs, this.reads, this.readConnections, this.endToEndItems, this.raw, this.batch);
	}

	Plan withBatch(int batch) {
		return new Plan(this.quick, this.rounds, this.workers, this.concurrency, this.backlogItems, this.intakeItems,
				this.latencyJobs, this.reads, this.readConnections, this.endToEndItems, this.raw, batch);
	}

}
