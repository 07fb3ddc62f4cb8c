package dev.batchline.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./batchline up [--workers N] [--secure]}, {@code ./batchline demo [--workers N]
 * [--secure]} and {@code ./batchline scale workers N}.
 */
public final class Launcher {

	private static final String USAGE = """
			usage: ./batchline up [--workers N] [--secure]     start everything locally; Ctrl-C stops it
			       ./batchline demo [--workers N] [--secure]   up (1 worker unless told), a sample job with a verified webhook; exits when done
			       ./batchline scale workers N                 change the number of workers of a running 'up'
			--secure: Kafka asks each service for its own SCRAM password and lets it do only its part (ACLs);
			          also BATCHLINE_KAFKA_SECURE=true
			""";

	/**
	 * The demo's services run on the C1 compiler alone (the {@code ./batchline} script),
	 * which has little left to compile after a short warm-up: the worker's model and the
	 * API's intake are warmed up briefly (the full warm-ups prepare for C2 and big jobs;
	 * docs/operations.md, "Cold start"). The environment still wins.
	 */
	private static final Map<String, String> DEMO_WARMUPS = Stream
		.of(Map.entry("BATCHLINE_WORKER_WARMUP", "500ms"), Map.entry("BATCHLINE_API_WARMUP_ITEMS", "50000"))
		.filter((setting) -> System.getenv(setting.getKey()) == null)
		.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

	private Launcher() {
	}

	public static void main(String[] args) throws Exception {
		Path root = Path.of(System.getProperty("batchline.root", ".")).toAbsolutePath().normalize();
		Path work = Path.of(envOr("BATCHLINE_WORK_DIR", root.resolve(".work").toString())).toAbsolutePath();
		List<String> arguments = List.of(args);
		if (arguments.isEmpty()) {
			Console.line(USAGE);
			System.exit(2);
		}
		int exit = switch (arguments.get(0)) {
			case "up" -> up(root, work, options(root, work, arguments));
			case "demo" -> demo(root, work, options(root, work, arguments));
			case "scale" -> scale(work, arguments);
			default -> {
				Console.line(USAGE);
				yield 2;
			}
		};
		System.exit(exit);
	}

	private static int up(Path root, Path work, PipelineOptions options) throws IOException, InterruptedException {
		ControlFile control = ControlFile.claim(work);
		long start = System.nanoTime();
		LocalPipeline pipeline = LocalPipeline.up(options);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			Console.step("Stopping: workers drain, then the dispatcher, the API, Kafka and PostgreSQL");
			pipeline.close();
			control.release();
		}, "batchline-stop"));
		Console.step(String.format("Batchline is up in %.1f s", (System.nanoTime() - start) / 1e9));
		printUp(pipeline);
		Console.line("Ctrl-C stops everything. './batchline scale workers N' changes the worker count.");
		while (!pipeline.isClosed()) {
			Integer wanted = control.requestedWorkers();
			if (wanted != null && wanted != pipeline.workers().size()) {
				pipeline.scaleWorkers(wanted);
				control.applied(pipeline.workers().size());
			}
			Thread.sleep(500);
		}
		return 0;
	}

	private static int demo(Path root, Path work, PipelineOptions options) throws Exception {
		ControlFile control = ControlFile.claim(work);
		long start = commandStart();
		try (LocalPipeline pipeline = LocalPipeline.upForJobs(options)) {
			Console.step(
					String.format("Batchline takes jobs %.1f s after the command (the webhook dispatcher is starting)",
							(System.nanoTime() - start) / 1e9));
			printUp(pipeline);
			return new Demo(pipeline, root, start).run();
		}
		finally {
			control.release();
		}
	}

	private static int scale(Path work, List<String> arguments) throws IOException, InterruptedException {
		if (arguments.size() != 3 || !arguments.get(1).equals("workers")) {
			Console.line(USAGE);
			return 2;
		}
		int count = Integer.parseInt(arguments.get(2));
		if (count < 0 || count > LocalPipeline.PARTITIONS) {
			Console.line("The worker count must be between 0 and " + LocalPipeline.PARTITIONS
					+ " (the partitions of the chunks topic)");
			return 2;
		}
		ControlFile control = ControlFile.of(work);
		if (!control.upIsRunning()) {
			Console.line("No './batchline up' is running with work folder " + work);
			return 1;
		}
		control.requestWorkers(count);
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (System.nanoTime() < deadline) {
			Integer applied = control.appliedWorkers();
			if (applied != null && applied == count) {
				Console.step("Running " + count + " worker(s)");
				return 0;
			}
			Thread.sleep(300);
		}
		Console.line("The running 'up' did not reach " + count + " workers in time; see " + work.resolve("logs"));
		return 1;
	}

	private static void printUp(LocalPipeline pipeline) {
		Console.line("");
		Console.line("  API             " + pipeline.api().url("") + "   (OpenAPI: "
				+ pipeline.api().url("/v3/api-docs") + ")");
		Console.line("  console         " + pipeline.api().url("/console/"));
		Console.line("  gRPC            localhost:" + pipeline.api().grpcPort()
				+ "   (inference.GRPCInferenceService, batchline.jobs.v1.Jobs)");
		Console.line("  metrics         " + pipeline.api().managementUrl("/actuator/prometheus"));
		Console.line("  dispatcher      " + pipeline.dispatcher().url(""));
		for (ServiceProcess worker : pipeline.workers()) {
			Console
				.line("  " + String.format("%-15s ", worker.name()) + worker.url("") + "   (pid " + worker.pid() + ")");
		}
		Console.line("  Kafka           " + pipeline.bootstrapServers() + ((pipeline.kafkaSecurity() != null)
				? "   (SASL/SCRAM, ACLs; passwords in " + pipeline.work().resolve("kafka-credentials") + ")" : ""));
		Console.line("  admin token     " + pipeline.adminTokenValue());
		Console.line("  tenant API key  " + pipeline.apiKey());
		Console.line("  logs            " + pipeline.logs());
		Console.line("");
		Console.line("  curl -s " + pipeline.api().url("/v1/models") + " -H 'Authorization: Bearer " + pipeline.apiKey()
				+ "'");
		Console.line("");
	}

	private static PipelineOptions options(Path root, Path work, List<String> arguments) {
		boolean secure = arguments.contains("--secure")
				|| Boolean.parseBoolean(envOr("BATCHLINE_KAFKA_SECURE", "false"));
		return new PipelineOptions(root, work, workers(arguments), intEnv("BATCHLINE_API_PORT", 8080),
				intEnv("BATCHLINE_LOCAL_KAFKA_PORT", 9092), intEnv("BATCHLINE_LOCAL_POSTGRES_PORT", 15432),
				"demo".equals(arguments.get(0)) ? DEMO_WARMUPS : Map.of(), List.of(), secure);
	}

	private static int workers(List<String> arguments) {
		int at = arguments.indexOf("--workers");
		if (at < 0) {
			// the demo's one small job needs one worker; on two cores a second one only
			// slows the start
			return "demo".equals(arguments.get(0)) ? 1 : 2;
		}
		if (at + 1 >= arguments.size()) {
			throw new IllegalArgumentException("--workers needs a number");
		}
		int workers = Integer.parseInt(arguments.get(at + 1));
		if (workers < 1 || workers > LocalPipeline.PARTITIONS) {
			throw new IllegalArgumentException("--workers must be between 1 and " + LocalPipeline.PARTITIONS);
		}
		return workers;
	}

	/**
	 * When the command was typed: {@code ./batchline} records it before it builds
	 * anything, so the demo's "first result after the command" includes the build; else
	 * this JVM's start.
	 */
	private static long commandStart() {
		String started = System.getenv("BATCHLINE_COMMAND_STARTED_MS");
		long sinceStart = (started != null && !started.isBlank())
				? System.currentTimeMillis() - Long.parseLong(started.strip())
				: System.currentTimeMillis() - ProcessHandle.current()
					.info()
					.startInstant()
					.map(java.time.Instant::toEpochMilli)
					.orElse(System.currentTimeMillis());
		return System.nanoTime() - sinceStart * 1_000_000;
	}

	private static int intEnv(String name, int fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? Integer.parseInt(value.strip()) : fallback;
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
