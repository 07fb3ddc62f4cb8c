package dev.batchline.system;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.batchline.cli.BatchlineCli;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.Topics;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command-line client ({@code cli}), run in-process through picocli with its output
 * captured, against the packaged api-service and a worker running the Iris model through
 * DJL, on a real PostgreSQL and Kafka: its exit codes, its progress output, its JSON
 * output, and the results it writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIntegrationTests {

	private static final String ADMIN_TOKEN = "cli-test-admin-token";

	private static final Topics TOPICS = new Topics("cli");

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ServiceProcess> services = new ArrayList<>();

	private Map<String, String> workerEnv;

	private ServiceProcess api;

	private ServiceProcess worker;

	private String key;

	@TempDir
	Path dir;

	@BeforeAll
	void startPipeline() throws Exception {
		TestPostgres.Database database = TestPostgres.newDatabase();
		this.workerEnv = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
				"BATCHLINE_TOPICS_PREFIX", TOPICS.prefix(), "BATCHLINE_TOPICS_PARTITIONS", "2");
		Map<String, String> apiEnv = new HashMap<>(this.workerEnv);
		apiEnv.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(), "BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN,
				// expiry is checked every second; a held worker's models stay in the
				// catalog
				"BATCHLINE_API_JOBS_SWEEP_INTERVAL", "1s", "BATCHLINE_API_CATALOG_EXPIRE_AFTER", "10m"));
		this.api = track(PipelineEndToEndIntegrationTests.start("api-service", "cli-api-service", apiEnv));
		this.worker = track(PipelineEndToEndIntegrationTests.start("worker-service", "cli-worker", this.workerEnv));
		this.api.awaitReady();
		this.worker.awaitReady();
		this.key = EventCodec.tree(send(post("/v1/admin/tenants", ADMIN_TOKEN, "{\"name\":\"cli\"}")).body().getBytes())
			.get("api_key")
			.asString();
		await().atMost(Duration.ofSeconds(60)).until(() -> send(get("/v1/models")).body().contains("iris"));
	}

	@AfterAll
	void stopPipeline() {
		this.services.forEach(ServiceProcess::close);
	}

	@Test
	@Order(1)
	void submitWaitShowsTheBarUpToAllItemsAndWritesTheResultsInInputOrder() throws Exception {
		Path items = irisFile("items.ndjson", 3000);
		Path out = this.dir.resolve("results.jsonl");

		Run run = cli("submit", items.toString(), "--model", "iris", "--wait", "--out", out.toString(), "--progress",
				"bar");

		assertThat(run.exit()).as(run.err()).isZero();
		assertThat(run.err()).contains("Submitted job ")
			.contains("\r[########################] 100% 3000/3000 items")
			.containsPattern("3000/3000 items  [0-9.]+ items/s  in \\d+s *\n");
		assertThat(run.out()).contains("SUCCEEDED: 3000 items, 3000 succeeded, 0 failed")
			.contains("3000 results in " + out);
		String id = run.out().substring("Job ".length(), run.out().indexOf(' ', "Job ".length()));
		List<String> written = Files.readAllLines(out);
		assertThat(written).hasSize(3000).isEqualTo(apiResults(id));
		for (int i = 0; i < written.size(); i++) {
			JsonNode item = EventCodec.tree(written.get(i).getBytes());
			assertThat(item.get("index").asLong()).isEqualTo(i);
			assertThat(item.get("output").get("probabilities")).hasSize(3);
		}
	}

	@Test
	@Order(2)
	void withoutATerminalProgressIsLinesAndJsonOutputIsOneDocumentPerCommand() throws Exception {
		Run submitted = cli("submit", irisFile("json.ndjson", 2000).toString(), "--model", "iris", "--output", "json");
		assertThat(submitted.exit()).as(submitted.err()).isZero();
		JsonNode job = EventCodec.tree(submitted.out().getBytes());
		String id = job.get("id").asString();
		assertThat(job.get("counts").get("total").asLong()).isEqualTo(2000);

		Run watch = cli("watch", id, "--progress", "lines", "--output", "json");
		assertThat(watch.exit()).as(watch.err()).isZero();
		assertThat(watch.err()).doesNotContain("\r");
		List<String> lines = watch.err().lines().toList();
		assertThat(lines).isNotEmpty().allMatch((line) -> line.startsWith("progress "));
		assertThat(lines.get(lines.size() - 1)).matches("progress 100% 2000/2000 items  .* items/s  in \\d+s");
		JsonNode watched = EventCodec.tree(watch.out().getBytes());
		assertThat(watched.get("state").asString()).isEqualTo("SUCCEEDED");
		assertThat(watched.get("counts").get("succeeded").asLong()).isEqualTo(2000);

		JsonNode status = EventCodec.tree(cli("status", id, "--output", "json").out().getBytes());
		assertThat(status.get("id").asString()).isEqualTo(id);
		assertThat(status.get("history").findValuesAsString("to")).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
		Run page = cli("jobs", "--limit", "1", "--state", "succeeded", "--output", "json");
		JsonNode jobs = EventCodec.tree(page.out().getBytes());
		assertThat(jobs.get("data")).hasSize(1);
		assertThat(jobs.get("data").get(0).get("id").asString()).isEqualTo(id);
		Run next = cli("jobs", "--limit", "1", "--state", "succeeded", "--cursor", jobs.get("next_cursor").asString());
		assertThat(next.exit()).isZero();
		assertThat(next.out()).startsWith("ID").contains("SUCCEEDED").doesNotContain(id);

		Run results = cli("results", id);
		assertThat(results.exit()).isZero();
		assertThat(results.out().lines().toList()).hasSize(2000).isEqualTo(apiResults(id));
	}

	@Test
	@Order(3)
	void aCancelledJobEndsTheWatchWithTheCancelledCode() throws Exception {
		Path items = irisFile("cancel.ndjson", 1000);
		String id;
		// the worker is held, so the job cannot finish before it is cancelled
		this.worker.suspend();
		try {
			Run submitted = cli("submit", items.toString(), "--model", "iris");
			assertThat(submitted.exit()).as(submitted.err()).isZero();
			id = submitted.out().strip();
			Run cancel = cli("cancel", id);
			assertThat(cancel.exit()).as(cancel.err()).isZero();
			assertThat(cancel.out()).contains(id + " CANCELLING");
		}
		finally {
			this.worker.resume();
		}
		Run watch = cli("watch", id, "--progress", "none");
		assertThat(watch.exit()).as(watch.err()).isEqualTo(12);
		assertThat(watch.out()).contains(id + " CANCELLED");
		assertThat(cli("cancel", id).exit()).as("cancelling a finished job is refused").isEqualTo(3);
	}

	@Test
	@Order(4)
	void aJobPastItsCompletionWindowEndsTheWaitWithTheExpiredCode() throws Exception {
		Path items = irisFile("expire.ndjson", 500);
		this.worker.suspend();
		try {
			Run run = cli("submit", items.toString(), "--model", "iris", "--completion-window", "2s", "--wait",
					"--progress", "none");
			assertThat(run.exit()).as(run.err()).isEqualTo(13);
			assertThat(run.err()).contains("EXPIRED: 500 items, 0 succeeded");
		}
		finally {
			this.worker.resume();
		}
	}

	@Test
	@Order(5)
	void errorsAreOneLineWithTheirExitCode() throws Exception {
		Run badKey = cliWithKey("bl_wrong", "jobs");
		assertThat(badKey.exit()).isEqualTo(4);
		assertThat(badKey.err()).startsWith("batchline: Unauthorized (401)").contains("BATCHLINE_API_KEY");
		assertThat(badKey.err().lines()).hasSize(1);

		Run unknown = cli("status", UUID.randomUUID().toString());
		assertThat(unknown.exit()).isEqualTo(5);
		assertThat(unknown.err()).startsWith("batchline: Not found (404)");
		assertThat(unknown.err().lines()).hasSize(1);
		assertThat(cli("watch", UUID.randomUUID().toString()).exit()).isEqualTo(5);

		Run missing = cli("submit", this.dir.resolve("nope.ndjson").toString(), "--model", "iris", "--wait");
		assertThat(missing.exit()).isEqualTo(2);
		assertThat(missing.err()).isEqualTo("batchline: cannot read " + this.dir.resolve("nope.ndjson")
				+ ": no such file" + System.lineSeparator());

		Run noModel = cli("submit", irisFile("usage.ndjson", 1).toString());
		assertThat(noModel.exit()).isEqualTo(2);
		assertThat(noModel.err()).startsWith("Missing required option: '--model=M'");

		Path bad = Files.writeString(this.dir.resolve("bad.ndjson"), "[5.1,3.5,1.4,0.2]\n[1,2,3]\n");
		Run refused = cli("submit", bad.toString(), "--model", "iris");
		assertThat(refused.exit()).isEqualTo(3);
		assertThat(refused.err()).startsWith("batchline: Invalid instance (422): ");

		for (Run run : List.of(badKey, unknown, missing, refused)) {
			assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
		}
		Run unreachable = cliAt("http://127.0.0.1:" + ServiceProcess.freePort(), "jobs");
		assertThat(unreachable.exit()).isEqualTo(6);
		assertThat(unreachable.err()).contains("connection refused");
	}

	/**
	 * A real FAILED job: a second worker, in a consumer group of its own, announces Iris
	 * version 2 and is then held; the version-2 job goes to the first worker, which does
	 * not serve that version and fails every item ({@code model_unavailable}).
	 */
	@Test
	@Order(6)
	void aFailedJobEndsTheWaitWithTheFailedCodeAndItsErrorsInTheResults() throws Exception {
		Path models = this.dir.resolve("models");
		copyTree(ROOT.resolve("worker-service/target/classes/model-repository/iris/1"), models.resolve("iris/2"));
		Map<String, String> env = new HashMap<>(this.workerEnv);
		env.putAll(Map.of("BATCHLINE_WORKER_MODELS_ROOT", models.toString(), "BATCHLINE_WORKER_GROUP_ID", "cli-standby",
				"BATCHLINE_WORKER_WARMUP", "0s"));
		ServiceProcess standby = track(PipelineEndToEndIntegrationTests.start("worker-service", "cli-standby", env));
		try {
			standby.awaitReady();
			await().atMost(Duration.ofSeconds(60))
				.until(() -> send(get("/v1/models/iris")).body().contains("\"version\":\"2\""));
			standby.suspend();
			Path out = this.dir.resolve("failed.jsonl");
			Run run = cli("submit", irisFile("failed.ndjson", 200).toString(), "--model", "iris", "--version", "2",
					"--wait", "--out", out.toString(), "--progress", "lines", "--output", "json");
			assertThat(run.exit()).as(run.err()).isEqualTo(10);
			JsonNode job = EventCodec.tree(run.out().getBytes());
			assertThat(job.get("state").asString()).isEqualTo("FAILED");
			assertThat(job.get("counts").get("failed").asLong()).isEqualTo(200);
			assertThat(Files.readAllLines(out)).hasSize(200)
				.allMatch((line) -> line.contains("\"code\":\"model_unavailable\""));
		}
		finally {
			standby.kill();
		}
	}

	private Path irisFile(String name, int count) throws IOException {
		String lines = IrisModel.repeated(ROOT, count)
			.stream()
			.map(IrisModel::json)
			.collect(Collectors.joining("\n", "", "\n"));
		return Files.writeString(this.dir.resolve(name), lines);
	}

	private Run cli(String... args) {
		return cliWithKey(this.key, args);
	}

	private Run cliWithKey(String key, String... args) {
		return run(this.api.url(""), key, args);
	}

	private Run cliAt(String url, String... args) {
		return run(url, this.key, args);
	}

	private static Run run(String url, String key, String... args) {
		List<String> arguments = new ArrayList<>(List.of(args));
		arguments.addAll(List.of("--api-url", url, "--api-key", key));
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int exit = BatchlineCli.commandLine()
			.setOut(new PrintWriter(out))
			.setErr(new PrintWriter(err))
			.execute(arguments.toArray(String[]::new));
		return new Run(exit, out.toString(), err.toString());
	}

	private List<String> apiResults(String id) throws IOException, InterruptedException {
		HttpResponse<Stream<String>> response = this.http
			.send(HttpRequest.newBuilder(URI.create(this.api.url("/v1/jobs/" + id + "/results")))
				.header("Authorization", "Bearer " + this.key)
				.header("Accept", "application/x-ndjson")
				.build(), HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body().toList();
	}

	private HttpRequest get(String path) {
		return HttpRequest.newBuilder(URI.create(this.api.url(path)))
			.header("Authorization", "Bearer " + this.key)
			.build();
	}

	private HttpRequest post(String path, String token, String json) {
		return HttpRequest.newBuilder(URI.create(this.api.url(path)))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path file : files.toList()) {
				Path target = to.resolve(from.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
	}

	private record Run(int exit, String out, String err) {
	}

}
