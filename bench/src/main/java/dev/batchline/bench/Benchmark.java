package dev.batchline.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ai.djl.engine.Engine;
import dev.batchline.engine.IrisModelTrainer;
import dev.batchline.engine.TensorflowNatives;
import dev.batchline.launcher.Console;
import dev.batchline.launcher.Folders;
import dev.batchline.launcher.LocalPipeline;
import dev.batchline.launcher.PipelineOptions;
import dev.batchline.launcher.ServiceProcess;

/**
 * {@code ./batchline bench [options]} (see {@code --help}): starts a fresh pipeline with
 * the launcher's classes (PostgreSQL, Kafka, the services as their own JVMs), the workers
 * serving the Iris model and the benchmark model, runs the scenarios and prints and
 * writes the figures beside their limits (see docs/benchmarks.md).
 */
public final class Benchmark {

	/**
	 * The workers' Kafka session timeout in the bench: longer than building a backlog
	 * takes, so that a worker suspended meanwhile keeps its partitions.
	 */
	static final Duration SUSPENDED_SESSION = Duration.ofMinutes(2);

	private static final String USAGE = """
			usage: ./batchline bench [--quick] [--workers N] [--concurrency N] [--rounds N] [--batch N] [--worker-cpus LIST | --shared-cores] [--only 1,3,...] [--keep]
			  --quick        fewer items and one measured round per scenario (a few minutes)
			  --workers      worker processes (default 1)
			  --concurrency  consumer threads per worker (default 1; 2 with the workers on CPUs of their own),
			                 sharing its inference threads (BATCHLINE_WORKER_INFERENCE_THREADS, 1): the raw DJL
			                 limit uses workers x those
			  --rounds       measured rounds per scenario (default 3, quick 1), each after a warm-up round
			  --batch        rows per predict call: the workers' max-batch-size and the raw limit's (default 256)
			  --worker-cpus  the workers on these CPUs (taskset -c list, half of them), all else on the rest;
			                 without it scenario 1 runs on shared cores, then again with the workers on the
			                 upper half of the CPUs (in a bench JVM of its own), which is held to the target
			  --shared-cores scenario 1 on shared cores only, held to the target
			  --only         run only these scenarios (1 workers, 2 intake, 3 latency, 4 reads, 5 end to end,
			                 6 noisy neighbour, 7 synchronous inference, 8 webhooks, 9 gRPC, 10 cold start)
			  --keep         keep the work folder (PostgreSQL data, Kafka log, service logs)
			BATCHLINE_WORKER_INLINE_OPS (true or false, default false) goes to the workers, and the raw
			DJL limit loads its model with it too.
			""";

	private Benchmark() {
	}

	public static void main(String[] args) throws Exception {
		List<String> arguments = List.of(args);
		if (arguments.contains("--help")) {
			Console.line(USAGE);
			System.exit(0);
		}
		Plan plan;
		Set<String> only;
		CpuSplit split = null;
		try {
			int workers = Integer.parseInt(value(arguments, "--workers", "1"));
			int concurrency = Integer.parseInt(value(arguments, "--concurrency", "1"));
			plan = arguments.contains("--quick") ? Plan.quick(workers, concurrency) : Plan.full(workers, concurrency);
			if (arguments.contains("--rounds")) {
				plan = plan.withRounds(Integer.parseInt(value(arguments, "--rounds", "3")));
			}
			if (arguments.contains("--batch")) {
				plan = plan
					.withBatch(Integer.parseInt(value(arguments, "--batch", Integer.toString(Plan.DEFAULT_BATCH))));
			}
			only = Stream.of(value(arguments, "--only", "1,2,3,4,5,6,7,8,9,10").split(","))
				.map(String::strip)
				.collect(Collectors.toSet());
			if (arguments.contains("--worker-cpus")) {
				split = CpuSplit.of(value(arguments, "--worker-cpus", ""), CpuSplit.allowedCpus());
			}
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// a bad option, or --worker-cpus where there is no taskset
			Console.line("bench: " + ex.getMessage());
			Console.line(USAGE);
			System.exit(2);
			return;
		}
		if (split != null) {
			// first: everything this JVM starts, and TensorFlow's threads, inherit the
			// CPUs
			split.pinThisJvm();
		}
		String childReport = value(arguments, OwnCpus.CHILD_REPORT, null);
		// scenario 1 again, with the workers on CPUs of their own, after this run
		Optional<CpuSplit> ownCpus = (split == null && childReport == null && only.contains("1")
				&& !arguments.contains("--shared-cores")) ? CpuSplit.halves() : Optional.empty();
		Path root = Path.of(System.getProperty("batchline.root", ".")).toAbsolutePath().normalize();
		Path work = Path.of(envOr("BATCHLINE_WORK_DIR", root.resolve("bench/target").toString()))
			.toAbsolutePath()
			.resolve("bench-work-" + ProcessHandle.current().pid());
		Report report = new Report();
		report.setting("mode", plan.quick() ? "quick" : "full");
		report.setting("plan", plan.toString());
		Console.step("Benchmark (" + (plan.quick() ? "quick" : "full") + "): " + plan);
		Console.step("Machine: " + Report.machine().get("summary"));
		Path models = work.resolve("models");
		makeModels(models);
		Map<String, String> workerEnv = Map.of("BATCHLINE_WORKER_MODELS_ROOT", models.toString(),
				"BATCHLINE_WORKER_MAX_BATCH_SIZE", Integer.toString(plan.batch()), "BATCHLINE_WORKER_CONCURRENCY",
				Integer.toString(plan.concurrency()), "BATCHLINE_WORKER_INFERENCE_THREADS",
				Integer.toString(Bench.inferenceThreadsPerWorker()), "BATCHLINE_WORKER_INLINE_OPS",
				Boolean.toString(Bench.inlineOps()),
				// scenario 1 suspends the workers while it builds a backlog: they
				// keep their partitions for that long instead of 10 s, and the
				// api-service their models (it accepts jobs for served models only)
				"SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", Long.toString(SUSPENDED_SESSION.toMillis()),
				"BATCHLINE_API_CATALOG_EXPIRE_AFTER", SUSPENDED_SESSION.toSeconds() + "s",
				// scenario 8: the dispatcher's slots per endpoint, the bare loop's
				// threads
				"BATCHLINE_WEBHOOKS_PER_ENDPOINT_CONCURRENCY", Integer.toString(Webhooks.CONCURRENCY));
		report.setting("worker_env", workerEnv);
		ownCpus.ifPresent((halves) -> report.setting("own_cpus_run", Map.of("worker_cpus", halves.workers(),
				"other_cpus", halves.others(), "concurrency", value(arguments, "--concurrency", OwnCpus.CONCURRENCY))));
		if (split != null) {
			report.setting("worker_cpus", split.workers());
			report.setting("other_cpus", split.others());
			Console.step("Workers on CPU(s) " + split.workers() + "; this JVM (and the raw DJL limit), PostgreSQL,"
					+ " Kafka, the api-service and the dispatcher on CPU(s) " + split.others());
		}
		PipelineOptions options = new PipelineOptions(root, work, plan.workers(), port("BATCHLINE_API_PORT"),
				port("BATCHLINE_LOCAL_KAFKA_PORT"), port("BATCHLINE_LOCAL_POSTGRES_PORT"), workerEnv,
				(split != null) ? split.workerPrefix() : List.of());
		int exit = 0;
		try {
			try (LocalPipeline pipeline = LocalPipeline.up(options)) {
				// Ctrl-C (SIGTERM from ./batchline) stops the services, Kafka and
				// PostgreSQL too
				Runtime.getRuntime().addShutdownHook(new Thread(pipeline::close, "bench-stop"));
				// the scenarios measure the pipeline, not the limits: they run as a
				// tenant of their own whose limits no scenario reaches
				Tenants tenants = new Tenants(new Api(pipeline.api(), pipeline.apiKey()), pipeline.adminTokenValue());
				Api api = new Api(pipeline.api(), tenants.createUnthrottled("bench").key());
				report.setting("bench_tenant_limits", Tenants.UNTHROTTLED);
				api.awaitModels(BenchmarkModel.NAME, "iris");
				Bench bench = new Bench(pipeline, api, tenants, plan, report, models, root);
				if (only.contains("3")) {
					new SmallJobLatency(bench).run();
				}
				if (only.contains("4")) {
					new StatusReads(bench).run();
				}
				if (only.contains("5")) {
					new EndToEnd(bench).run();
				}
				if (only.contains("6")) {
					new NoisyNeighbour(bench).run();
				}
				if (only.contains("7")) {
					new SynchronousInference(bench).run();
				}
				if (only.contains("8")) {
					new Webhooks(bench).run();
				}
				if (only.contains("9")) {
					new GrpcDoors(bench).run();
				}
				if (only.contains("10")) {
					new ColdStart(bench).run();
				}
				if (only.contains("1")) {
					// with a run on CPUs of their own to follow, that one is held to the
					// target: its two sides have as many CPUs
					WorkerEfficiency efficiency = ownCpus.isPresent()
							? new WorkerEfficiency(bench, "1 on shared cores", "scenario 1 on shared cores")
							: new WorkerEfficiency(bench, "1 worker efficiency", "scenario 1");
					efficiency.run(BenchmarkModel.NAME, BenchmarkModel.INPUTS, BenchmarkModel::instance,
							ownCpus.isPresent() ? null : 0.9);
					efficiency.run("iris", 4, (n) -> IRIS.get((int) (n % IRIS.size())), null);
				}
				if (only.contains("2")) {
					new Intake(bench).run();
				}
			}
			if (ownCpus.isPresent()) {
				// this run's pipeline has stopped: the CPUs are the other run's
				exit = OwnCpus.run(ownCpus.get(), arguments, work, report);
			}
		}
		catch (RuntimeException ex) {
			report.note("The benchmark stopped early: " + ex);
			exit = 1;
		}
		finally {
			if (childReport != null) {
				report.write(Path.of(childReport));
			}
			else {
				report.finish(root.resolve("bench/results"));
			}
			if (!arguments.contains("--keep")) {
				Folders.deleteTree(work);
			}
			else {
				Console.step("Work folder kept: " + work);
			}
		}
		System.exit(exit);
	}

	static final List<String> IRIS = List.of("[5.1,3.5,1.4,0.2]", "[7.0,3.2,4.7,1.4]", "[6.3,3.3,6.0,2.5]",
			"[4.9,3.0,1.4,0.2]", "[6.4,3.2,4.5,1.5]", "[5.8,2.7,5.1,1.9]");

	/** The workers' model repository: the benchmark model and the Iris model. */
	private static void makeModels(Path models) throws IOException {
		long start = System.nanoTime();
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		BenchmarkModel.export(models);
		IrisModelTrainer.main(new String[] { models.toString() });
		Console.step(String.format("Models exported to %s in %.1f s", models, (System.nanoTime() - start) / 1e9));
	}

	private static int port(String variable) throws IOException {
		String value = System.getenv(variable);
		if (value != null && !value.isBlank()) {
			return Integer.parseInt(value.strip());
		}
		return ServiceProcess.freePort();
	}

	static String value(List<String> arguments, String name, String fallback) {
		int at = arguments.indexOf(name);
		return (at >= 0 && at + 1 < arguments.size()) ? arguments.get(at + 1) : fallback;
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
