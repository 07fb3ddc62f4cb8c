package dev.batchline.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import dev.batchline.contracts.ChunkSubmitted;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention against a real PostgreSQL and Kafka broker: a job's inputs go when it ends,
 * its results after their retention (then 410), the job itself after the tombstone
 * retention. Time is moved on by a clock the test controls; every job of a test is
 * finished before the clock moves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=retention-it",
				"batchline.topics.partitions=2", "batchline.api.chunk-max-items=100",
				"batchline.api.jobs.sweep-interval=200ms", "batchline.api.jobs.default-results-retention=1d",
				"batchline.api.jobs.max-results-retention=2d", "batchline.api.jobs.tombstone-retention=7d",
				"batchline.api.jobs.purge-batch-size=2" })
class RetentionIntegrationTests extends ApiIntegrationTest {

	@Autowired
	private MovableClock clock;

	RetentionIntegrationTests() {
		super("retention-it", null);
	}

	@Test
	void aJobsInputChunksStayWhileItRunsAndGoWhenItEnds() {
		String id = submit(WorkerSide.jobJson(250, null));
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 3);
		assertThat(inputChunks(id)).isEqualTo(3);
		this.workers.publishResults(List.of(WorkerSide.echo(chunks.get(0), -1), WorkerSide.echo(chunks.get(1), -1)));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + id).json().get("counts").get("succeeded").asLong() == 200);
		assertThat(inputChunks(id)).isEqualTo(3);

		this.workers.publishResult(WorkerSide.echo(chunks.get(2), -1));
		awaitState(id, "SUCCEEDED");
		assertThat(inputChunks(id)).isZero();
		assertThat(this.api.get("/v1/jobs/" + id + "/results?limit=1000").json().get("data")).hasSize(250);

		String cancelled = submit(WorkerSide.jobJson(200, null));
		List<ChunkSubmitted> cancelledChunks = this.workers.chunksOf(UUID.fromString(cancelled), 2);
		assertThat(this.api.post("/v1/jobs/" + cancelled + "/cancel", "").status()).isEqualTo(202);
		assertThat(inputChunks(cancelled)).isEqualTo(2);
		cancelledChunks.forEach((chunk) -> this.workers.publishResult(WorkerSide.skipped(chunk)));
		awaitState(cancelled, "CANCELLED");
		assertThat(inputChunks(cancelled)).isZero();
	}

	@Test
	void resultsArePurgedAfterTheirRetentionThen410AndTheJobAfterTheTombstoneRetention() {
		String shortLived = submit("{\"model\":\"iris\",\"output_expires_after\":{\"anchor\":\"created_at\","
				+ "\"seconds\":3600},\"instances\":" + instances(250) + "}");
		List<ChunkSubmitted> shortLivedChunks = this.workers.chunksOf(UUID.fromString(shortLived), 3);
		String byDefault = submit(WorkerSide.jobJson(100, null));
		List<ChunkSubmitted> byDefaultChunks = this.workers.chunksOf(UUID.fromString(byDefault), 1);
		JsonNode queued = this.api.get("/v1/jobs/" + shortLived).json();
		assertThat(queued.get("output_expires_after").get("anchor").asString()).isEqualTo("created_at");
		assertThat(queued.get("output_expires_after").get("seconds").asLong()).isEqualTo(3600);
		assertThat(queued.has("results_expire_at")).isFalse();
		assertThat(this.api.get("/v1/jobs/" + byDefault).json().get("output_expires_after").get("seconds").asLong())
			.isEqualTo(86400);
		finish(shortLived, shortLivedChunks);
		finish(byDefault, byDefaultChunks);
		JsonNode finished = awaitState(shortLived, "SUCCEEDED");
		assertThat(Instant.parse(finished.get("results_expire_at").asString()))
			.isEqualTo(Instant.parse(finished.get("finished_at").asString()).plusSeconds(3600));
		assertThat(this.api.get("/v1/jobs/" + shortLived + "/results").status()).isEqualTo(200);

		// an hour later: the results are gone (in batches of 2 rows), the job says so
		this.clock.advance(Duration.ofMinutes(61));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + shortLived).json().has("purged_at"));
		JsonNode purged = this.api.get("/v1/jobs/" + shortLived).json();
		assertThat(purged.get("state").asString()).isEqualTo("SUCCEEDED");
		assertThat(purged.get("counts").get("succeeded").asLong()).isEqualTo(250);
		assertThat(purged.get("history").findValuesAsString("to")).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
		assertThat(this.jdbc.queryForObject("select count(*) from chunk_results where job_id = ?::uuid", Long.class,
				shortLived))
			.isZero();
		String purgedAt = purged.get("purged_at").asString();
		assertProblem(this.api.get("/v1/jobs/" + shortLived + "/results"), 410, "gone", purgedAt);
		assertProblem(this.api.get("/v1/jobs/" + shortLived + "/errors"), 410, "gone", purgedAt);
		ApiClient.Response stream = this.api.get("/v1/jobs/" + shortLived + "/results", "application/x-ndjson");
		assertThat(stream.status()).as(stream.body()).isEqualTo(410);
		assertThat(stream.body()).contains("gone", purgedAt);
		// the default retention (1 day) has not ended
		assertThat(this.api.get("/v1/jobs/" + byDefault + "/results").json().get("data")).hasSize(100);

		// past the tombstone retention the job is gone as well: then it is not found
		this.clock.advance(Duration.ofDays(7));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.api.get("/v1/jobs/" + shortLived).status() == 404);
		assertThat(this.jdbc.queryForObject("select count(*) from job_state_history where job_id = ?::uuid", Long.class,
				shortLived))
			.isZero();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + byDefault + "/results").status() == 410);
		assertProblem(this.api.get("/v1/jobs/" + byDefault + "/results"), 410, "gone", "results_expire_at");
	}

	@Test
	void anOutputExpiresAfterOutsideItsBoundsOrFormIsRefused() {
		assertProblem(submitWithExpiry("{\"anchor\":\"created_at\",\"seconds\":60}"), 422, "invalid-request",
				"between 3600 and 172800");
		assertProblem(submitWithExpiry("{\"anchor\":\"created_at\",\"seconds\":172801}"), 422, "invalid-request",
				"batchline.api.jobs.max-results-retention");
		assertProblem(submitWithExpiry("{\"anchor\":\"finished_at\",\"seconds\":3600}"), 422, "invalid-request",
				"anchor");
		assertProblem(submitWithExpiry("{\"anchor\":\"created_at\",\"seconds\":\"1h\"}"), 422, "invalid-request",
				"output_expires_after");
		assertProblem(submitWithExpiry("{\"seconds\":3600}"), 422, "invalid-request", "output_expires_after");
		assertProblem(submitWithExpiry("{\"anchor\":\"created_at\",\"seconds\":3600,\"days\":1}"), 422,
				"invalid-request", "output_expires_after.days");
		assertProblem(submitWithExpiry("3600"), 422, "invalid-request", "output_expires_after");

		assertProblem(
				this.api.exchange("POST", "/v1/jobs?model=iris&output_expires_after_seconds=soon",
						"application/x-ndjson", "[1,2,3,4]\n", Map.of()),
				422, "invalid-request", "output_expires_after_seconds");
		assertProblem(this.api.exchange("POST", "/v1/jobs?model=iris&output_expires_after_seconds=600",
				"application/x-ndjson", "[1,2,3,4]\n", Map.of()), 422, "invalid-request", "between 3600");
		ApiClient.Response streamed = this.api.exchange("POST",
				"/v1/jobs?model=iris&output_expires_after_anchor=created_at&output_expires_after_seconds=7200",
				"application/x-ndjson", "[1,2,3,4]\n", Map.of());
		assertThat(streamed.status()).as(streamed.body()).isEqualTo(202);
		assertThat(streamed.json().get("output_expires_after").get("seconds").asLong()).isEqualTo(7200);
	}

	@Test
	void theStorageGaugeShowsTheBytesOfEachTable() {
		String metrics = new ApiClient("http://localhost:" + this.managementPort, null)
			.get("/actuator/prometheus", "text/plain")
			.body();
		assertThat(metrics).containsPattern("batchline_storage_bytes\\{[^}]*table=\"chunk_results\"[^}]*} [1-9]");
		assertThat(metrics).contains("table=\"input_chunks\"", "table=\"jobs\"", "table=\"outbox\"");
	}

	private ApiClient.Response submitWithExpiry(String expiry) {
		return this.api.post("/v1/jobs",
				"{\"model\":\"iris\",\"output_expires_after\":" + expiry + ",\"instances\":[[1,2,3,4]]}");
	}

	private String submit(String body) {
		ApiClient.Response submitted = this.api.post("/v1/jobs", body);
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		return submitted.json().get("id").asString();
	}

	private void finish(String id, List<ChunkSubmitted> chunks) {
		chunks.forEach((chunk) -> this.workers.publishResult(WorkerSide.echo(chunk, -1)));
		awaitState(id, "SUCCEEDED");
	}

	private static String instances(int count) {
		return WorkerSide.jobJson(count, null).replaceAll(".*\"instances\":", "").replaceAll("}$", "");
	}

	private long inputChunks(String id) {
		return this.jdbc.queryForObject("select count(*) from input_chunks where job_id = ?::uuid", Long.class, id);
	}

	private JsonNode awaitState(String id, String state) {
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.get("/v1/jobs/" + id).json().get("state").asString().equals(state));
		return this.api.get("/v1/jobs/" + id).json();
	}

	/** The service's clock, which the test moves on. */
	@TestConfiguration(proxyBeanMethods = false)
	static class MovableClockConfiguration {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock();
		}

	}

	/** The system clock in whole microseconds (as the service's), plus an offset. */
	static final class MovableClock extends Clock {

		private final Clock system = Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));

		private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

		void advance(Duration by) {
			this.offset.accumulateAndGet(by, Duration::plus);
		}

		@Override
		public Instant instant() {
			return this.system.instant().plus(this.offset.get());
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
