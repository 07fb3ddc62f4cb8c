package dev.batchline.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.contracts.EventCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code up} with two workers, a job, one worker killed with SIGKILL in the middle of it:
 * every item still gets exactly one result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerCrashIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(WorkerCrashIntegrationTests.class);

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	private static final int ITEMS = 120_000;

	private final HttpClient http = HttpClient.newHttpClient();

	private LocalPipeline pipeline;

	@BeforeAll
	void up() throws IOException {
		Path work = ROOT.resolve("system-tests/target/crash-work");
		if (Files.exists(work)) {
			try (var paths = Files.walk(work)) {
				for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.delete(path);
				}
			}
		}
		this.pipeline = LocalPipeline.up(new LocalPipeline.Options(ROOT, work, 2, freePort(), freePort(), freePort()));
	}

	@AfterAll
	void down() {
		if (this.pipeline != null) {
			this.pipeline.close();
		}
	}

	@Test
	void aWorkerKilledMidJobLosesAndDuplicatesNothing() throws Exception {
		String key = this.pipeline.apiKey();
		await().atMost(Duration.ofSeconds(60)).until(() -> call("/v1/models", key).toString().contains("iris"));
		String instances = IntStream.range(0, ITEMS)
			.mapToObj((i) -> "[" + (4.3 + (i % 36) * 0.1) + ",3.0," + (1.0 + (i % 59) * 0.1) + ",1.2]")
			.collect(Collectors.joining(","));
		HttpResponse<byte[]> submitted = this.http
			.send(HttpRequest.newBuilder(URI.create(this.pipeline.api().url("/v1/jobs")))
				.header("Authorization", "Bearer " + key)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"iris\",\"instances\":[" + instances + "]}"))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(submitted.statusCode()).isEqualTo(202);
		String id = EventCodec.tree(submitted.body()).get("id").asString();

		await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> call("/v1/jobs/" + id, key).get("counts").get("succeeded").asLong() > 0);
		ServiceProcess victim = this.pipeline.workers().get(0);
		victim.kill();
		JsonNode atKill = call("/v1/jobs/" + id, key);
		log.info("Killed {} (SIGKILL) with {} of {} items done", victim.name(),
				atKill.get("counts").get("succeeded").asLong(), ITEMS);
		assertThat(atKill.get("counts").get("pending").asLong()).as("the job was still running").isPositive();
		assertThat(victim.isAlive()).isFalse();

		await().atMost(Duration.ofMinutes(4))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> call("/v1/jobs/" + id, key).get("state").asString().equals("SUCCEEDED"));
		JsonNode job = call("/v1/jobs/" + id, key);
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(ITEMS);
		assertThat(job.get("counts").get("failed").asLong()).isZero();

		List<JsonNode> results = this.http
			.send(HttpRequest.newBuilder(URI.create(this.pipeline.api().url("/v1/jobs/" + id + "/results")))
				.header("Authorization", "Bearer " + key)
				.header("Accept", "application/x-ndjson")
				.build(), HttpResponse.BodyHandlers.ofLines())
			.body()
			.map((line) -> EventCodec.tree(line.getBytes()))
			.toList();
		assertThat(results).hasSize(ITEMS);
		BitSet seen = new BitSet(ITEMS);
		for (JsonNode item : results) {
			int index = (int) item.get("index").asLong();
			assertThat(seen.get(index)).as("item %d appears once", index).isFalse();
			seen.set(index);
			assertThat(item.has("output")).isTrue();
		}
		assertThat(seen.cardinality()).isEqualTo(ITEMS);
	}

	private JsonNode call(String path, String key) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = this.http.send(HttpRequest.newBuilder(URI.create(this.pipeline.api().url(path)))
			.header("Authorization", "Bearer " + key)
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		return EventCodec.tree(response.body());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
