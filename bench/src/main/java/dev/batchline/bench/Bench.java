package dev.batchline.bench;

import java.nio.file.Path;

import dev.batchline.launcher.LocalPipeline;

/**
 * What every scenario works with.
 *
 * @param pipeline the running pipeline
 * @param api its API as a client
 * @param plan how much to do
 * @param report where the figures go
 * @param models the model repository the workers serve
 * @param root the repository root
 */
record Bench(LocalPipeline pipeline, Api api, Plan plan, Report report, Path models, Path root) {

	/** Consumer threads over all workers: the thread count of the raw DJL limit. */
	int inferenceThreads() {
		return this.plan.workers() * this.plan.concurrency();
	}

}
