package dev.batchline.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.JobEvent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How jobs end other than by finishing, against a real PostgreSQL and Kafka broker:
 * idempotent submission, cancel, expiry, dead letters and the watchdog. The workers' side
 * of the topics is played by {@link WorkerSide} (reading chunks in the workers' consumer
 * group, so the watchdog sees their backlog as a real worker's).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=life-it",
				"batchline.topics.partitions=2", "batchline.api.chunk-max-items=100",
				"batchline.api.jobs.sweep-interval=300ms", "batchline.api.jobs.stall-timeout=3s",
				"batchline.api.jobs.max-redrives=1", "batchline.api.jobs.worker-group=life-it-workers",
				"batchline.api.jobs.max-completion-window=2h" })
class JobLifecycleIntegrationTests extends ApiIntegrationTest {

	JobLifecycleIntegrationTests() {
		super("life-it", "life-it-workers");
	}

	@Test
	void aRetryWithTheSameIdempotencyKeyGetsTheSameJobAndAnotherBodyIsRefused() {
		String body = WorkerSide.jobJson(3, null);
		ApiClient.Response first = this.api.post("/v1/jobs", body, "Idempotency-Key", "retry-1");
		ApiClient.Response again = this.api.post("/v1/jobs", body, "Idempotency-Key", "retry-1");
		assertThat(first.status()).isEqualTo(202);
		assertThat(again.status()).isEqualTo(202);
		assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
		assertThat(again.body()).isEqualTo(first.body());
		assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
		assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
		assertProblem(this.api.post("/v1/jobs", WorkerSide.jobJson(4, null), "Idempotency-Key", "retry-1"), 422,
				"idempotency-key-reused", "different request");
		assertProblem(this.api.post("/v1/jobs", body, "Idempotency-Key", "has space"), 400, "bad-request",
				"Idempotency-Key");
		ApiClient.Response other = ApiClient.newTenant(this.port).post("/v1/jobs", body, "Idempotency-Key", "retry-1");
		assertThat(other.json().get("id")).isNotEqualTo(first.json().get("id"));
	}

	@Test
	void aStreamedSubmissionIsIdempotentToo() {
		String lines = "[1,2,3,4]\n[5,6,7,8]\n";
		Map<String, String> key = Map.of("Idempotency-Key", "stream-1");
		ApiClient.Response first = this.api.exchange("POST", "/v1/jobs?model=iris&completion_window=1h",
				"application/x-ndjson", lines, key);
		ApiClient.Response again = this.api.exchange("POST", "/v1/jobs?model=iris&completion_window=1h",
				"application/x-ndjson", lines, key);
		assertThat(first.status()).as(first.body()).isEqualTo(202);
		assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
		assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
		assertProblem(this.api.exchange("POST", "/v1/jobs?model=iris&completion_window=1h", "application/x-ndjson",
				lines + "[9,9,9,9]\n", key), 422, "idempotency-key-reused", null);
		assertProblem(this.api.exchange("POST", "/v1/jobs?model=iris&completion_window=2h", "application/x-ndjson",
				lines, key), 422, "idempotency-key-reused", null);
	}

	@Test
	void identicalRequestsAtOnceCreateOneJob() throws Exception {
		String body = WorkerSide.jobJson(2000, "{\"race\":true}");
		long before = countJobs();
		List<CompletableFuture<ApiClient.Response>> responses = new ArrayList<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
			for (int i = 0; i < 8; i++) {
				responses.add(CompletableFuture
					.supplyAsync(() -> this.api.post("/v1/jobs", body, "Idempotency-Key", "race-1"), clients));
			}
		}
		List<String> ids = new ArrayList<>();
		for (CompletableFuture<ApiClient.Response> response : responses) {
			assertThat(response.get().status()).as(response.get().body()).isEqualTo(202);
			ids.add(response.get().json().get("id").asString());
		}
		assertThat(ids).containsOnly(ids.get(0));
		assertThat(countJobs()).isEqualTo(before + 1);
	}

	@Test
	void aCancelledJobSkipsItsRemainingChunksKeepsItsResultsAndEndsCancelled() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(500, null)).json().get("id").asString();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 5);
		this.workers.publishResult(WorkerSide.echo(chunks.get(0), -1));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + id).json().get("counts").get("succeeded").asLong() == 100);

		ApiClient.Response cancelling = this.api.post("/v1/jobs/" + id + "/cancel", "");
		assertThat(cancelling.status()).isEqualTo(202);
		assertThat(cancelling.json().get("state").asString()).isEqualTo("CANCELLING");
		assertThat(this.api.post("/v1/jobs/" + id + "/cancel", "").json().get("state").asString())
			.isEqualTo("CANCELLING");
		// a worker finishes one chunk it had already started, and skips the others
		this.workers.publishResult(WorkerSide.echo(chunks.get(1), -1));
		chunks.subList(2, 5).forEach((chunk) -> this.workers.publishResult(WorkerSide.skipped(chunk)));

		JsonNode job = awaitState(id, "CANCELLED");
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(200);
		assertThat(job.get("counts").get("skipped").asLong()).isEqualTo(300);
		assertThat(job.get("counts").get("pending").asLong()).isZero();
		assertThat(this.api.get("/v1/jobs/" + id + "/results?limit=1000").json().get("data")).hasSize(200);
		assertThat(this.workers.eventsOf(UUID.fromString(id), 4)).extracting(JobEvent::type)
			.contains(JobEvent.CANCELLED);
		assertProblem(this.api.post("/v1/jobs/" + id + "/cancel", ""), 409, "job-finished", "CANCELLED");
		assertProblem(this.api.post("/v1/jobs/" + UUID.randomUUID() + "/cancel", ""), 404, "not-found", null);
	}

	@Test
	void aJobPastItsCompletionWindowExpiresAndKeepsItsResults() {
		ApiClient.Response submitted = this.api.post("/v1/jobs",
				"{\"model\":\"iris\",\"completion_window\":\"2s\",\"instances\":"
						+ WorkerSide.jobJson(300, null).replaceAll(".*\"instances\":", "").replaceAll("}$", "") + "}");
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		String id = submitted.json().get("id").asString();
		assertThat(submitted.json().get("expires_at").asString()).isNotBlank();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 3);
		this.workers.publishResult(WorkerSide.echo(chunks.get(0), -1));

		JsonNode job = awaitState(id, "EXPIRED");
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(100);
		assertThat(job.get("counts").get("skipped").asLong()).isEqualTo(200);
		assertThat(this.workers.eventsOf(UUID.fromString(id), 3)).extracting(JobEvent::type).contains(JobEvent.EXPIRED);
		// a late result changes nothing
		this.workers.publishResult(WorkerSide.echo(chunks.get(1), -1));
		assertThat(this.api.get("/v1/jobs/" + id).json().get("counts").get("succeeded").asLong()).isEqualTo(100);

		assertProblem(
				this.api.post("/v1/jobs",
						"{\"model\":\"iris\",\"completion_window\":\"3h\",\"instances\":[[1,2,3,4]]}"),
				422, "invalid-request", "2h");
		assertProblem(
				this.api.post("/v1/jobs",
						"{\"model\":\"iris\",\"completion_window\":\"soon\",\"instances\":[[1,2,3,4]]}"),
				422, "invalid-request", "completion_window");
	}

	@Test
	void aDeadLetteredChunkFailsItsItemsWithTheWorkersReason() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(200, null)).json().get("id").asString();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 2);
		this.workers.publishResult(WorkerSide.echo(chunks.get(0), -1));
		this.workers.publishDeadLetter(chunks.get(1), "java.lang.IllegalStateException: the model crashed");

		JsonNode job = awaitState(id, "PARTIALLY_SUCCEEDED");
		assertThat(job.get("counts").get("failed").asLong()).isEqualTo(100);
		JsonNode errors = this.api.get("/v1/jobs/" + id + "/errors?limit=10").json();
		assertThat(errors.get("data")).hasSize(10);
		assertThat(errors.get("data").get(0).get("index").asLong()).isEqualTo(100);
		assertThat(errors.get("data").get(0).get("error").get("code").asString()).isEqualTo(ItemError.CHUNK_FAILED);
		assertThat(errors.get("data").get(0).get("error").get("message").asString()).contains("the model crashed");
		String next = errors.get("next_cursor").asString();
		assertThat(this.api.get("/v1/jobs/" + id + "/errors?limit=100&cursor=" + next).json().get("data")).hasSize(90);
	}

	@Test
	void theWatchdogReDrivesChunksNobodyAnsweredThenFailsThem() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(150, null)).json().get("id").asString();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 2);
		this.workers.publishResult(WorkerSide.echo(chunks.get(0), -1));
		// chunk 1 was consumed (committed) but never answered: after the stall timeout,
		// with no backlog, the watchdog publishes it again
		List<ChunkSubmitted> redriven = this.workers.chunksOf(UUID.fromString(id), 1);
		assertThat(redriven.get(0).chunk()).isEqualTo(1);
		// still unanswered after its one re-drive: its items fail
		JsonNode job = awaitState(id, "PARTIALLY_SUCCEEDED");
		assertThat(job.get("counts").get("failed").asLong()).isEqualTo(50);
		assertThat(this.api.get("/v1/jobs/" + id + "/errors")
			.json()
			.get("data")
			.get(0)
			.get("error")
			.get("code")
			.asString()).isEqualTo(ItemError.CHUNK_LOST);
	}

	private long countJobs() {
		return this.jdbc.queryForObject("select count(*) from jobs", Long.class);
	}

	private JsonNode awaitState(String id, String state) {
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.get("/v1/jobs/" + id).json().get("state").asString().equals(state));
		return this.api.get("/v1/jobs/" + id).json();
	}

}
