package dev.batchline.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;

import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 1: a backlog of chunks waits in {@code batchline.chunks} (jobs submitted and
 * relayed while no worker runs); then the workers start and drain it. Items per second
 * from the first recorded result to the last job's end, beside DJL predict in this JVM on
 * the same model, batch size and thread count.
 */
final class WorkerEfficiency {

	/** Keeps each POST body well under the API's 64 MiB limit. */
	private static final int MAX_BODY_BYTES = 24 * 1024 * 1024;

	private final Bench bench;

	WorkerEfficiency(Bench bench) {
		this.bench = bench;
	}

	void run(String model, int inputs, LongFunction<String> instance, Double target) throws Exception {
		String scenario = "1 worker efficiency";
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(0);
		List<Double> pipeline = new ArrayList<>();
		List<Double> predictShares = new ArrayList<>();
		MemorySampler memory = null;
		Map<String, Long> peaks = Map.of();
		for (int round = 0; round <= plan.rounds(); round++) {
			List<UUID> jobs = backlog(model, instance, plan.backlogItems());
			this.bench.api().awaitOutboxEmpty(Duration.ofMinutes(5));
			if (round == 0) {
				// memory is sampled in the warm-up round: reading every process's memory
				// five times a second takes CPU from a measured round
				memory = new MemorySampler(this.bench.pipeline()::pids);
			}
			this.bench.pipeline().scaleWorkers(plan.workers());
			List<JsonNode> done = this.bench.api()
				// the rate comes from the jobs' own timestamps: polling more often would
				// only
				// take CPU from the pipeline being measured
				.awaitTerminal(jobs, Duration.ofSeconds(1), Duration.ofMinutes(15));
			Instant first = done.stream().map((job) -> Api.instant(job, "started_at")).min(Instant::compareTo).get();
			Instant last = done.stream().map((job) -> Api.instant(job, "finished_at")).max(Instant::compareTo).get();
			long succeeded = done.stream().mapToLong((job) -> job.get("counts").get("succeeded").asLong()).sum();
			if (succeeded != plan.backlogItems()) {
				throw new IllegalStateException(
						model + ": only " + succeeded + " of " + plan.backlogItems() + " items succeeded: " + done);
			}
			double seconds = Duration.between(first, last).toNanos() / 1e9;
			double rate = plan.backlogItems() / seconds;
			// where the workers' time went: predict calls (with the outputs written), the
			// rest of the listener, committing the Kafka transactions; the remainder is
			// waiting in poll
			double inPredict = this.bench.predictSeconds(model);
			double inListener = this.bench.workerMetric("spring.kafka.listener", "TOTAL_TIME");
			double committing = this.bench.workerMetric("kafka.producer.txn.commit.time.ns.total", "COUNT") / 1e9;
			Console.step(String.format(
					"%s %s round %d: %,d items drained at %,.0f items/s in %.2f s; worker seconds: listener %.2f"
							+ " (predict %.2f, %,.0f items/s there), committing %.2f",
					scenario, model, round, plan.backlogItems(), rate, seconds, inListener, inPredict,
					(inPredict > 0) ? plan.backlogItems() / inPredict : Double.NaN, committing));
			if (round > 0) {
				pipeline.add(rate);
				// the timer adds up every inference thread of every worker
				predictShares.add(inPredict / seconds / this.bench.inferenceThreads());
			}
			else {
				peaks = memory.peaksMb();
			}
			this.bench.pipeline().scaleWorkers(0);
		}
		this.bench.report().memory("scenario 1 (" + model + ", warm-up round, draining)", peaks);
		List<Double> raw = new ArrayList<>();
		try (RawPredict predict = new RawPredict(this.bench.models().resolve(model).resolve("1"), inputs)) {
			predict.itemsPerSecond(plan.batch(), this.bench.inferenceThreads(), Duration.ofSeconds(1));
			for (int round = 0; round < plan.rounds(); round++) {
				raw.add(predict.itemsPerSecond(plan.batch(), this.bench.inferenceThreads(), plan.raw()));
			}
		}
		this.bench.report()
			.ratio(scenario, model + " model: pipeline items/s vs DJL predict", Stats.of(pipeline), Stats.of(raw),
					"%,.0f", "items/s", target);
		this.bench.report()
			.info(scenario, model + " model: share of the drain an inference thread spent in predict",
					Stats.of(predictShares).format("%.2f"));
	}

	/** Submits the backlog as jobs no bigger than the body limit allows. */
	private List<UUID> backlog(String model, LongFunction<String> instance, int items) throws Exception {
		int perItem = instance.apply(0).length() + 1;
		int perJob = Math.max(1, Math.min(items, MAX_BODY_BYTES / perItem));
		List<UUID> jobs = new ArrayList<>();
		for (int from = 0; from < items; from += perJob) {
			List<String> instances = new ArrayList<>();
			for (int i = from; i < Math.min(items, from + perJob); i++) {
				instances.add(instance.apply(i));
			}
			jobs.add(this.bench.api().submit(model, instances));
		}
		return jobs;
	}

}
