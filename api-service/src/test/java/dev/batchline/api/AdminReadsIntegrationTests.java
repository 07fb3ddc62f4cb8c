package dev.batchline.api;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.ModelDeployed;
import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The admin's read endpoints the console shows, through the running service and the real
 * broker: the tenants in pages, the workers as they announce themselves, and the consumer
 * groups' lag as records are produced and consumed, and the same lag with the oldest
 * queued chunk's age as gauges on Actuator's Prometheus endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.limits.enabled=false",
				"batchline.topics.prefix=admin-it", "batchline.topics.partitions=1",
				"batchline.api.jobs.worker-group=admin-it-workers", "batchline.api.backlog-metrics.interval=200ms" })
class AdminReadsIntegrationTests extends ApiIntegrationTest {

	private static final String LAG = "batchline_consumer_lag";

	private static final String[] WORKERS_ON_CHUNKS = { "group=\"admin-it-workers\"", "topic=\"admin-it.chunks\"" };

	private static final String OLDEST_QUEUED_AGE = "batchline_chunks_oldest_queued_age_seconds";

	AdminReadsIntegrationTests() {
		super("admin-it", "admin-it-workers");
	}

	@Test
	void tenantsAreListedNewestFirstInPagesWithTheirKeys() {
		ApiClient admin = this.api.withToken("test-admin-token");
		List<String> created = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			created.add(admin.post("/v1/admin/tenants", "{\"name\":\"listed-" + i + "\"}")
				.json()
				.get("tenant_id")
				.asString());
		}
		JsonNode first = admin.get("/v1/admin/tenants?limit=2").json();
		assertThat(first.get("data").findValuesAsString("id")).containsExactly(created.get(2), created.get(1));
		assertThat(first.get("data").get(0).get("name").asString()).isEqualTo("listed-2");
		assertThat(first.get("data").get(0).get("api_keys").asLong()).isEqualTo(1);
		assertThat(first.get("data").get(0).get("created_at").asString()).isNotBlank();
		String cursor = first.get("next_cursor").asString();
		JsonNode second = admin.get("/v1/admin/tenants?limit=2&cursor=" + cursor).json();
		assertThat(second.get("data").get(0).get("id").asString()).isEqualTo(created.get(0));

		assertProblem(admin.get("/v1/admin/tenants?limit=0"), 400, "bad-request", "'limit' must be between 1 and 100");
		assertProblem(admin.get("/v1/admin/tenants?cursor=nope"), 400, "bad-request", "cursor");
		assertProblem(this.api.get("/v1/admin/tenants"), 401, "unauthorized", "admin token");
		assertProblem(this.api.get("/v1/admin/workers"), 401, "unauthorized", "admin token");
		assertProblem(this.api.get("/v1/admin/consumer-lag"), 401, "unauthorized", "admin token");
	}

	@Test
	void workersAreListedWithTheModelsTheyAnnounce() {
		Instant now = Instant.now();
		this.workers.announce(new ModelDeployed("iris", "1", Fixtures.IRIS, 256, now, "worker-a", now, "sha256:iris-1",
				"http://127.0.0.1:9"));
		this.workers.announce(new ModelDeployed("iris", "2", Fixtures.IRIS, 128, now, "worker-a", now, "sha256:iris-2",
				"http://127.0.0.1:9"));
		ApiClient admin = this.api.withToken("test-admin-token");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> admin.get("/v1/admin/workers").json().get("data").findValuesAsString("worker_id"),
					(ids) -> ids.contains("worker-a"));
		JsonNode workers = admin.get("/v1/admin/workers").json().get("data");
		JsonNode workerA = null;
		for (JsonNode worker : workers) {
			if (worker.get("worker_id").asString().equals("worker-a")) {
				workerA = worker;
			}
		}
		assertThat(workerA).isNotNull();
		assertThat(workerA.get("endpoint").asString()).isEqualTo("http://127.0.0.1:9");
		assertThat(Instant.parse(workerA.get("last_seen_at").asString())).isCloseTo(now, within(1, ChronoUnit.SECONDS));
		assertThat(workerA.get("models").findValuesAsString("version")).containsExactly("1", "2");
		assertThat(workerA.get("models").get(1).get("max_batch_size").asInt()).isEqualTo(128);
		// Fixtures' Iris announcement carries no worker id
		assertThat(workers.findValuesAsString("worker_id")).contains("(no worker id)");

		this.workers.withdraw(ModelDeployed.key("iris", "1", "worker-a"));
		this.workers.withdraw(ModelDeployed.key("iris", "2", "worker-a"));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> admin.get("/v1/admin/workers").json().get("data").findValuesAsString("worker_id"),
					(ids) -> !ids.contains("worker-a"));
	}

	@Test
	void consumerLagCountsWhatTheWorkersHaveNotConsumedYet() {
		ApiClient admin = this.api.withToken("test-admin-token");
		UUID job = UUID.fromString(this.api.post("/v1/jobs", WorkerSide.jobJson(3, null)).json().get("id").asString());
		await().atMost(Duration.ofSeconds(30)).until(() -> lag(admin, "admin-it-workers", "admin-it.chunks") == 1);
		JsonNode all = admin.get("/v1/admin/consumer-lag").json().get("data");
		assertThat(all.findValuesAsString("group")).containsExactly("admin-it-workers", "batchline-recorders",
				"batchline-dead-letter-recorders", "batchline-webhook-dispatcher", "batchline-webhook-replayers",
				"batchline-webhook-endpoint-managers");

		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(job, 1).get(0), -1));
		await().atMost(Duration.ofSeconds(30)).until(() -> lag(admin, "admin-it-workers", "admin-it.chunks") == 0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + job).json().get("state").asString().equals("SUCCEEDED"));
		await().atMost(Duration.ofSeconds(30)).until(() -> lag(admin, "batchline-recorders", "admin-it.results") == 0);
	}

	@Test
	void backlogGaugesShowTheLagAndTheOldestQueuedChunkUntilTheWorkersDrainIt() {
		UUID job = UUID.fromString(this.api.post("/v1/jobs", WorkerSide.jobJson(3, null)).json().get("id").asString());
		await().atMost(Duration.ofSeconds(30))
			.until(() -> gauge(LAG, WORKERS_ON_CHUNKS) == 1 && gauge(OLDEST_QUEUED_AGE) > 0);
		double age = gauge(OLDEST_QUEUED_AGE);
		await().atMost(Duration.ofSeconds(30)).until(() -> gauge(OLDEST_QUEUED_AGE) > age);
		assertThat(gauge(LAG, "group=\"batchline-recorders\"", "topic=\"admin-it.results\"")).isZero();

		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(job, 1).get(0), -1));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + job).json().get("state").asString().equals("SUCCEEDED"));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> gauge(LAG, WORKERS_ON_CHUNKS) == 0 && gauge(OLDEST_QUEUED_AGE) == 0);
	}

	private static long lag(ApiClient admin, String group, String topic) {
		for (JsonNode entry : admin.get("/v1/admin/consumer-lag").json().get("data")) {
			if (entry.get("group").asString().equals(group) && entry.get("topic").asString().equals(topic)) {
				return entry.get("lag").isNull() ? -1 : entry.get("lag").asLong();
			}
		}
		throw new AssertionError("no lag of " + group + " on " + topic);
	}

}
