package dev.batchline.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.launcher.LocalPipeline;
import dev.batchline.launcher.ServiceProcess;

/**
 * What every scenario works with.
 *
 * @param pipeline the running pipeline
 * @param api its API as a client, as the bench's tenant (limits no scenario reaches)
 * @param tenants makes more tenants through the admin API
 * @param plan how much to do
 * @param report where the figures go
 * @param models the model repository the workers serve
 * @param root the repository root
 */
record Bench(LocalPipeline pipeline, Api api, Tenants tenants, Plan plan, Report report, Path models, Path root) {

	/**
	 * This JVM's name among {@link #pids()}: the limits and the load clients run in it.
	 */
	static final String SELF = "bench";

	/**
	 * The workers' inference threads unless {@code BATCHLINE_WORKER_INFERENCE_THREADS}
	 * says otherwise: the worker's own default. The bench always passes its value to the
	 * workers, so the workers and the raw limit run with the same one whatever the
	 * worker's default becomes.
	 */
	static final String DEFAULT_INFERENCE_THREADS = "1";

	/**
	 * The workers' inline-ops setting unless {@code BATCHLINE_WORKER_INLINE_OPS} says
	 * otherwise: the worker's own default, passed to the workers as the threads are.
	 */
	static final String DEFAULT_INLINE_OPS = "false";

	/**
	 * Inference threads over all workers, the most predict calls that run at once (the
	 * workers' consumer threads share them): the thread count of the raw DJL limit.
	 */
	int inferenceThreads() {
		return this.plan.workers() * inferenceThreadsPerWorker();
	}

	/**
	 * The workers' {@code BATCHLINE_WORKER_INFERENCE_THREADS}: this JVM's, else
	 * {@link #DEFAULT_INFERENCE_THREADS} (the bench passes it to the workers).
	 */
	static int inferenceThreadsPerWorker() {
		return Integer.parseInt(
				System.getenv().getOrDefault("BATCHLINE_WORKER_INFERENCE_THREADS", DEFAULT_INFERENCE_THREADS).strip());
	}

	/**
	 * The workers' {@code BATCHLINE_WORKER_INLINE_OPS}: this JVM's, else
	 * {@link #DEFAULT_INLINE_OPS} (the bench passes it to the workers and loads the raw
	 * limit's model with it).
	 * @throws IllegalArgumentException when it is neither {@code true} nor {@code false}
	 */
	static boolean inlineOps() {
		String value = System.getenv().getOrDefault("BATCHLINE_WORKER_INLINE_OPS", DEFAULT_INLINE_OPS).strip();
		if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
			throw new IllegalArgumentException(
					"BATCHLINE_WORKER_INLINE_OPS must be true or false, not '" + value + "'");
		}
		return Boolean.parseBoolean(value);
	}

	/**
	 * Seconds the running workers have spent in predict calls on a model so far (their
	 * {@code batchline.worker.predict} timer).
	 */
	double predictSeconds(String model) {
		return workerMetric("batchline.worker.predict", "TOTAL_TIME", "model:" + model);
	}

	/**
	 * The pipeline's processes and this one ({@code bench}: the limits, the load
	 * clients).
	 */
	Map<String, Long> pids() {
		Map<String, Long> pids = new LinkedHashMap<>(this.pipeline.pids());
		pids.put(SELF, ProcessHandle.current().pid());
		return pids;
	}

	/** A metric of the running workers, summed over them (NaN counts as 0). */
	double workerMetric(String name, String statistic, String... tags) {
		double sum = 0;
		for (ServiceProcess worker : this.pipeline.workers()) {
			double value = this.api.metric(worker, name, statistic, tags);
			sum += Double.isNaN(value) ? 0 : value;
		}
		return sum;
	}

}
