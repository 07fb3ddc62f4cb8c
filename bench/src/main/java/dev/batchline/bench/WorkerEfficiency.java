package dev.batchline.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongFunction;

import dev.batchline.launcher.Console;
import dev.batchline.launcher.ServiceProcess;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 1: a backlog of chunks waits in {@code batchline.chunks} (jobs submitted and
 * relayed while the workers are suspended with SIGSTOP); then the workers are resumed and
 * drain it. Items per second from the first recorded result to the last job's end, beside
 * DJL predict in this JVM on the same model, batch size and thread count. The warm-up
 * round's workers have just started; the measured rounds suspend and resume the same
 * ones, so that they see workers that have run for a while, as the raw limit's loop has,
 * and not a fresh JVM compiling the consumer's code. A round of the raw limit follows
 * each measured drain, so that the two sides of a ratio see the machine at about the same
 * time.
 */
final class WorkerEfficiency {

	/** Keeps each POST body well under the API's 64 MiB limit. */
	private static final int MAX_BODY_BYTES = 24 * 1024 * 1024;

	/**
	 * Before a raw round: the most cores the pipeline's processes (the workers suspended)
	 * use together, and how long the round waits for that.
	 */
	private static final double QUIET_CORES = 0.15;

	private static final Duration QUIET_WAIT = Duration.ofSeconds(10);

	private final Bench bench;

	private final String scenario;

	private final String phase;

	/**
	 * @param scenario the table's scenario column ("1 worker efficiency")
	 * @param phase how the memory and cores lines name it ("scenario 1")
	 */
	WorkerEfficiency(Bench bench, String scenario, String phase) {
		this.bench = bench;
		this.scenario = scenario;
		this.phase = phase;
	}

	void run(String model, int inputs, LongFunction<String> instance, Double target) throws Exception {
		Plan plan = this.bench.plan();
		// fresh workers for the warm-up round, suspended before they take a chunk: a
		// stopped worker would withdraw its models, and jobs for them would be refused
		this.bench.pipeline().scaleWorkers(0);
		this.bench.pipeline().scaleWorkers(plan.workers());
		this.bench.api().awaitModels(model);
		this.bench.pipeline().workers().forEach(ServiceProcess::suspend);
		List<Double> pipeline = new ArrayList<>();
		List<Double> predictShares = new ArrayList<>();
		List<Map<String, Double>> cores = new ArrayList<>();
		List<Double> raw = new ArrayList<>();
		List<Map<String, Double>> rawCores = new ArrayList<>();
		double fresh = Double.NaN;
		// the workers' timers so far: zero before they start
		double[] totals = new double[3];
		MemorySampler memory = null;
		Map<String, Long> peaks = Map.of();
		try (RawPredict predict = new RawPredict(this.bench.models().resolve(model).resolve("1"), inputs,
				Bench.inlineOps())) {
			predict.itemsPerSecond(plan.batch(), this.bench.inferenceThreads(), Duration.ofSeconds(1));
			for (int round = 0; round <= plan.rounds(); round++) {
				long building = System.nanoTime();
				List<UUID> jobs = backlog(model, instance, plan.backlogItems());
				this.bench.api().awaitOutboxEmpty(Duration.ofMinutes(5));
				Duration built = Duration.ofNanos(System.nanoTime() - building);
				Console.step(String.format("%s %s round %d: backlog of %,d items in batchline.chunks after %.1f s",
						this.scenario, model, round, plan.backlogItems(), built.toNanos() / 1e9));
				if (round > 0 && built.compareTo(Benchmark.SUSPENDED_SESSION) > 0) {
					Console.step("The suspended workers' Kafka sessions have expired: they rejoin the group"
							+ " first, and with several workers a rebalance may fall inside the measured span");
				}
				CpuSampler cpu = new CpuSampler(this.bench::pids);
				if (round == 0) {
					// memory is sampled in the warm-up round: reading every process's
					// memory five times a second takes CPU from a measured round
					memory = new MemorySampler(this.bench.pipeline()::pids);
				}
				// the warm-up round's workers have just started; the measured rounds
				// let the same JVMs run on, as workers that have been up for a while
				this.bench.pipeline().workers().forEach(ServiceProcess::resume);
				Drain drain = drain(model, jobs, cpu, totals);
				totals = drain.totals();
				// stopped while the raw limit's round runs and until the next backlog is
				// in place: a running worker would take it chunk by chunk as the relay
				// publishes it
				this.bench.pipeline().workers().forEach(ServiceProcess::suspend);
				double rate = plan.backlogItems() / drain.seconds();
				Console.step(String.format(
						"%s %s round %d (%s): %,d items drained at %,.0f items/s in %.2f s; worker seconds:"
								+ " listener %.2f (predict %.2f, %,.0f items/s there), committing %.2f",
						this.scenario, model, round, (round == 0) ? "workers just started" : "workers running on",
						plan.backlogItems(), rate, drain.seconds(), drain.listener(), drain.predict(),
						(drain.predict() > 0) ? plan.backlogItems() / drain.predict() : Double.NaN,
						drain.committing()));
				if (!drain.cores().isEmpty()) {
					Console.step(String.format("%s %s round %d: cores used: %s", this.scenario, model, round,
							CpuSampler.describe(drain.cores())));
					if (round > 0) {
						cores.add(drain.cores());
					}
				}
				if (round > 0) {
					pipeline.add(rate);
					// the timer adds up every inference thread of every worker
					predictShares.add(drain.predict() / drain.seconds() / this.bench.inferenceThreads());
					rawRound(model, round, predict, raw, rawCores);
				}
				else {
					fresh = rate;
					peaks = memory.peaksMb();
				}
			}
		}
		finally {
			// resume only acts on a suspended worker that still runs
			this.bench.pipeline().workers().forEach(ServiceProcess::resume);
			this.bench.pipeline().scaleWorkers(0);
		}
		this.bench.report().memory(this.phase + " (" + model + ", warm-up round, draining)", peaks);
		this.bench.report()
			.cpu(this.phase + " (" + model + ", draining; median of the measured rounds)", CpuSampler.medians(cores));
		// the limit's own cores (the bench JVM's predict loop), beside the drain's
		this.bench.report()
			.cpu(this.phase + " (" + model + ", raw DJL predict in the bench JVM; median of its rounds)",
					CpuSampler.medians(rawCores));
		this.bench.report()
			.ratio(this.scenario, model + " model: pipeline items/s vs DJL predict", Stats.of(pipeline), Stats.of(raw),
					"%,.0f", "items/s", target);
		// each round's pair, the drain and the raw round seconds after it, apart from the
		// machine's drift between rounds
		List<Double> paired = new ArrayList<>();
		for (int r = 0; r < Math.min(pipeline.size(), raw.size()); r++) {
			paired.add(pipeline.get(r) / raw.get(r));
		}
		this.bench.report()
			.info(this.scenario, model + " model: each round's drain vs the raw round after it",
					Stats.of(paired).format("%.3f"));
		this.bench.report()
			.info(this.scenario, model + " model: share of the drain an inference thread spent in predict",
					Stats.of(predictShares).format("%.2f"));
		this.bench.report()
			.info(this.scenario, model + " model: warm-up round, workers just started",
					String.format("%,.0f items/s", fresh));
	}

	/**
	 * One round of the limit: DJL predict in this JVM on the same model, batch size and
	 * thread count, while the pipeline is idle between two drains; its cores go into the
	 * report beside the drain's.
	 */
	private void rawRound(String model, int round, RawPredict predict, List<Double> raw,
			List<Map<String, Double>> rawCores) throws InterruptedException {
		Plan plan = this.bench.plan();
		// the drain's last work (the recorder's, the JIT's) out of the way: with the
		// workers on CPUs of their own it shares the raw loop's
		double busy = CpuSampler.awaitQuiet(this.bench::pids, Set.of(Bench.SELF), QUIET_CORES, Duration.ofMillis(500),
				QUIET_WAIT);
		if (busy > QUIET_CORES) {
			Console.step(String.format(
					"%s %s round %d: the pipeline still used %.2f cores %d s after the drain;"
							+ " the raw round runs beside it",
					this.scenario, model, round, busy, QUIET_WAIT.toSeconds()));
		}
		// the bench JVM's threads apart, as the workers' are in the drain
		try (CpuSampler cpu = new CpuSampler(this.bench::pids, Bench.SELF)) {
			Instant from = Instant.now();
			double rate = predict.itemsPerSecond(plan.batch(), this.bench.inferenceThreads(), plan.raw());
			raw.add(rate);
			Map<String, Double> used = cpu.cores(from, Instant.now());
			if (!used.isEmpty()) {
				rawCores.add(used);
			}
			Console.step(String.format("%s %s round %d: raw DJL predict at %,.0f items/s%s", this.scenario, model,
					round, rate, used.isEmpty() ? "" : "; cores used: " + CpuSampler.describe(used)));
		}
	}

	/**
	 * The drain's span, from the first recorded result to the last job's end, and what
	 * the workers' timers and the CPU sampler saw in it.
	 */
	private record Drain(double seconds, double listener, double predict, double committing, Map<String, Double> cores,
			double[] totals) {
	}

	/**
	 * Waits for the jobs to end.
	 * @param before the workers' timers when the round started (a suspended worker cannot
	 * be asked: the previous round's figures)
	 */
	private Drain drain(String model, List<UUID> jobs, CpuSampler cpu, double[] before) throws Exception {
		Plan plan = this.bench.plan();
		List<JsonNode> done;
		double[] after;
		try (cpu) {
			done = this.bench.api()
				// the rate comes from the jobs' own timestamps: polling more often would
				// only take CPU from the pipeline being measured
				.awaitTerminal(jobs, Duration.ofSeconds(1), Duration.ofMinutes(15));
			// the workers' timers add up from their start: the drain's share is the
			// difference
			after = workerSeconds(model);
		}
		Instant first = done.stream().map((job) -> Api.instant(job, "started_at")).min(Instant::compareTo).get();
		Instant last = done.stream().map((job) -> Api.instant(job, "finished_at")).max(Instant::compareTo).get();
		long succeeded = done.stream().mapToLong((job) -> job.get("counts").get("succeeded").asLong()).sum();
		if (succeeded != plan.backlogItems()) {
			throw new IllegalStateException(
					model + ": only " + succeeded + " of " + plan.backlogItems() + " items succeeded: " + done);
		}
		return new Drain(Duration.between(first, last).toNanos() / 1e9, after[0] - before[0], after[1] - before[1],
				after[2] - before[2], cpu.cores(first, last), after);
	}

	/**
	 * Where the workers' time went so far: the listener, predict calls (with the outputs
	 * written), committing the Kafka transactions; the rest of a drain is waiting in
	 * poll.
	 */
	private double[] workerSeconds(String model) {
		return new double[] { this.bench.workerMetric("spring.kafka.listener", "TOTAL_TIME"),
				this.bench.predictSeconds(model),
				this.bench.workerMetric("kafka.producer.txn.commit.time.ns.total", "COUNT") / 1e9 };
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
