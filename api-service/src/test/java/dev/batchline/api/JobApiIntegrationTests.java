package dev.batchline.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API service against a real PostgreSQL and a real Kafka broker. The worker side of
 * the topics (model announcements and chunk results) is played by records this test
 * produces itself, exactly as workers publish them; the full pipeline with real workers
 * is in the system tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.max-items=3000",
				"batchline.api.max-body-bytes=400000", "batchline.api.chunk-max-items=500",
				"batchline.topics.prefix=api-it", "batchline.topics.partitions=3" })
class JobApiIntegrationTests extends ApiIntegrationTest {

	JobApiIntegrationTests() {
		super("api-it", null);
	}

	@Test
	void linksNameThePublicUrlAGatewayForwards() {
		ApiClient.Response submitted = this.api.exchange("POST", "/v1/jobs", "application/json",
				WorkerSide.jobJson(3, null),
				Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com"));
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		String id = submitted.json().get("id").asString();
		String publicUrl = "https://api.example.com/v1/jobs/" + id;
		assertThat(submitted.headers().firstValue("Location")).hasValue(publicUrl);
		assertThat(submitted.json().get("links").get("self").asString()).isEqualTo(publicUrl);
		assertThat(submitted.json().get("links").get("results").asString()).isEqualTo(publicUrl + "/results");
		// asked directly, the same job links to where it was asked
		assertThat(this.api.get("/v1/jobs/" + id).json().get("links").get("self").asString())
			.isEqualTo(this.api.url("/v1/jobs/" + id));
	}

	@Test
	void acceptsAJobThenRecordsWorkerResultsUntilItSucceeds() {
		ApiClient.Response submitted = this.api.post("/v1/jobs", WorkerSide.jobJson(1200, "{\"batch\":\"a\"}"));
		assertThat(submitted.status()).isEqualTo(202);
		String id = submitted.json().get("id").asString();
		assertThat(submitted.headers().firstValue("Location")).hasValue(this.api.url("/v1/jobs/" + id));
		assertThat(submitted.json().get("state").asString()).isEqualTo("QUEUED");
		assertThat(submitted.json().get("counts").get("total").asLong()).isEqualTo(1200);
		assertThat(submitted.json().get("metadata").get("batch").asString()).isEqualTo("a");
		// the status read (one SQL statement) shows the job as the submission's answer
		// did
		JsonNode read = this.api.get("/v1/jobs/" + id).json();
		for (String field : List.of("id", "state", "model", "version", "counts", "metadata", "links")) {
			assertThat(read.get(field)).as(field).isEqualTo(submitted.json().get(field));
		}
		assertThat(read.get("history").findValuesAsString("to")).containsExactly("QUEUED");
		assertThat(Instant.parse(read.get("created_at").asString()))
			.isEqualTo(Instant.parse(submitted.json().get("created_at").asString()));

		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 3);
		assertThat(chunks).extracting(ChunkSubmitted::firstIndex).containsExactly(0L, 500L, 1000L);
		assertThat(chunks).extracting((c) -> c.instances().size()).containsExactly(500, 500, 200);
		assertThat(chunks.get(1).instances().get(0).get(0).asDouble()).isEqualTo(500.0);
		// arrays of numbers that fit the model go to the workers as one tensor each
		for (int c = 0; c < 3; c++) {
			assertThat(this.workers.contentTypeOf(UUID.fromString(id), c)).isEqualTo(ChunkTensors.CONTENT_TYPE);
		}

		// the last chunk first, and one chunk twice: recording is order-free and
		// idempotent; a result that names no job, among them, is skipped on its own
		this.workers.publishResults(List.of(new ChunkCompleted(null, 0, 0, "iris", "1", "w", List.of()),
				WorkerSide.echo(chunks.get(2), -1), WorkerSide.echo(chunks.get(0), -1),
				WorkerSide.echo(chunks.get(0), -1), WorkerSide.echo(chunks.get(1), -1)));

		JsonNode job = awaitState(id, "SUCCEEDED");
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(1200);
		assertThat(job.get("counts").get("failed").asLong()).isZero();
		assertThat(job.get("history").findValuesAsString("to")).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
		assertThat(job.get("started_at")).isNotNull();
		assertThat(job.get("finished_at")).isNotNull();
		// pglz, PostgreSQL's default, cost the database more CPU than the rest of
		// recording: the items are lz4-compressed where the server has lz4, and stored
		// as they are where it has not (the embedded binaries here)
		String expected = this.jdbc.queryForObject("select case when 'lz4' = any (enumvals) then 'lz4' else 'none' end"
				+ " from pg_settings where name = 'default_toast_compression'", String.class);
		assertThat(this.jdbc.queryForList(
				"select coalesce(pg_column_compression(items), 'none') from chunk_results where job_id = ?::uuid",
				String.class, id))
			.containsExactly(expected, expected, expected);

		List<JsonNode> items = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = this.api
				.get("/v1/jobs/" + id + "/results?limit=400" + ((cursor != null) ? "&cursor=" + cursor : ""))
				.json();
			page.get("data").forEach(items::add);
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(items).hasSize(1200);
		assertThat(items).extracting((i) -> i.get("index").asLong())
			.containsExactlyElementsOf(IntStream.range(0, 1200).mapToObj(Long::valueOf).toList());
		assertThat(items.get(777).get("output").get("echo").asDouble()).isEqualTo(777.0);

		ApiClient.Response ndjson = this.api.get("/v1/jobs/" + id + "/results", "application/x-ndjson");
		assertThat(ndjson.contentType()).startsWith("application/x-ndjson");
		List<String> lines = ndjson.body().lines().toList();
		assertThat(lines).hasSize(1200);
		assertThat(EventCodec.tree(lines.get(1199).getBytes()).get("index").asLong()).isEqualTo(1199);

		List<JobEvent> events = this.workers.eventsOf(UUID.fromString(id), 3);
		assertThat(events).extracting(JobEvent::type)
			.containsExactly(JobEvent.QUEUED, JobEvent.RUNNING, JobEvent.SUCCEEDED);
		assertThat(events.get(2).succeededItems()).isEqualTo(1200);
	}

	@Test
	void aJobWithSomeFailedItemsEndsPartiallySucceededAndOneWithOnlyFailuresEndsFailed() {
		String partial = this.api.post("/v1/jobs", WorkerSide.jobJson(10, null)).json().get("id").asString();
		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(UUID.fromString(partial), 1).get(0), 3));
		JsonNode job = awaitState(partial, "PARTIALLY_SUCCEEDED");
		assertThat(job.get("counts").get("failed").asLong()).isEqualTo(1);
		JsonNode failedItem = this.api.get("/v1/jobs/" + partial + "/results").json().get("data").get(3);
		assertThat(failedItem.get("error").get("code").asString()).isEqualTo(ItemError.MODEL_ERROR);
		JsonNode errors = this.api.get("/v1/jobs/" + partial + "/errors").json();
		assertThat(errors.get("failed").asLong()).isEqualTo(1);
		assertThat(errors.get("data")).hasSize(1);
		assertThat(errors.get("data").get(0).get("index").asLong()).isEqualTo(3);
		assertThat(errors.get("data").get(0).get("error").get("message").asString()).isEqualTo("test failure");
		assertThat(errors.get("next_cursor").isNull()).isTrue();

		String failed = this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString();
		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(UUID.fromString(failed), 1).get(0), 0));
		awaitState(failed, "FAILED");
	}

	@Test
	void itemsCarryTheCallersCustomIdsIntoTheirResultsAndErrorsBeforeAndAfterTheJobEnds() {
		// a tenant of its own: its jobs per second are not the other tests'
		ApiClient api = ApiClient.newTenant(this.port);
		// 1200 items, every third without an id: the ids live beside the chunks, which
		// reach the workers as plain instances
		StringBuilder ndjson = new StringBuilder();
		for (int i = 0; i < 1200; i++) {
			String instance = "[" + i + ".0, 3.5, 1.4, 0.2]";
			ndjson
				.append((i % 3 == 2) ? instance : "{\"custom_id\": \"row-" + i + "\", \"instance\": " + instance + "}")
				.append('\n');
		}
		ApiClient.Response submitted = api.post("/v1/jobs?model=iris", "application/x-ndjson", ndjson.toString());
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		String id = submitted.json().get("id").asString();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(id), 3);
		assertThat(chunks.get(0).instances().get(0).get(0).asDouble()).isEqualTo(0.0);
		assertThat(chunks.get(2).instances().get(199).get(0).asDouble()).isEqualTo(1199.0);

		// two chunks back, item 4 failed: the job runs, its ids still with its inputs
		this.workers.publishResults(List.of(WorkerSide.echo(chunks.get(0), 4), WorkerSide.echo(chunks.get(1), -1)));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> api.get("/v1/jobs/" + id).json().get("counts").get("succeeded").asLong() == 999);
		JsonNode running = api.get("/v1/jobs/" + id + "/results?limit=6").json();
		assertThat(running.get("data").get(0).toString())
			.isEqualTo("{\"index\":0,\"custom_id\":\"row-0\",\"output\":{\"echo\":0.0}}");
		assertThat(running.get("data").get(2).has("custom_id")).isFalse();
		assertThat(running.get("data").get(4).get("custom_id").asString()).isEqualTo("row-4");
		assertThat(running.get("data").get(4).get("error").get("code").asString()).isEqualTo(ItemError.MODEL_ERROR);

		// the last chunk: the job ends, its inputs are released, the ids stay
		this.workers.publishResult(WorkerSide.echo(chunks.get(2), -1));
		awaitState(api, id, "PARTIALLY_SUCCEEDED");
		assertThat(
				this.jdbc.queryForObject("select count(*) from input_chunks where job_id = ?::uuid", Integer.class, id))
			.isZero();
		List<String> lines = api.get("/v1/jobs/" + id + "/results", "application/x-ndjson").body().lines().toList();
		assertThat(lines).hasSize(1200);
		for (int i : new int[] { 0, 1, 2, 500, 1198, 1199 }) {
			JsonNode item = EventCodec.tree(lines.get(i).getBytes(StandardCharsets.UTF_8));
			assertThat(item.get("index").asLong()).isEqualTo(i);
			assertThat(item.path("custom_id").asString(null)).isEqualTo((i % 3 == 2) ? null : "row-" + i);
			assertThat(item.get("output").get("echo").asDouble()).isEqualTo(i);
		}
		JsonNode errors = api.get("/v1/jobs/" + id + "/errors").json();
		assertThat(errors.get("data")).hasSize(1);
		assertThat(errors.get("data").get(0).get("custom_id").asString()).isEqualTo("row-4");
	}

	@Test
	void refusesDuplicateOrMalformedCustomIdsNamingTheirLinesAndWritesNothing() {
		ApiClient api = ApiClient.newTenant(this.port);
		long jobs = this.jdbc.queryForObject("select count(*) from jobs", Long.class);
		String ndjson = """
				{"custom_id": "a", "instance": [1, 2, 3, 4]}
				{"custom_id": "b", "instance": [1, 2, 3, 4]}

				[1, 2, 3, 4]
				{"custom_id": "a", "instance": [5, 6, 7, 8]}
				""";
		ApiClient.Response duplicate = api.post("/v1/jobs?model=iris", "application/x-ndjson", ndjson);
		assertProblem(duplicate, 422, "duplicate-custom-id",
				"line 5 (instances[3]) repeats the custom_id 'a' of line 1");
		assertThat(duplicate.json().get("line").asLong()).isEqualTo(5);
		assertThat(duplicate.json().get("first_line").asLong()).isEqualTo(1);
		assertProblem(
				api.post("/v1/jobs",
						"{\"model\":\"iris\",\"instances\":[{\"custom_id\":\"x\",\"instance\":[1,2,3,4]},"
								+ "{\"custom_id\":\"x\",\"instance\":[1,2,3,4]}]}"),
				422, "duplicate-custom-id", "instances[1] repeats the custom_id 'x' of instances[0]");
		assertProblem(
				api.post("/v1/jobs?model=iris", "application/x-ndjson",
						"{\"custom_id\": 7, \"instance\": [1, 2, 3, 4]}"),
				422, "invalid-instance", "'custom_id' must be a string");
		assertProblem(api.post("/v1/jobs?model=iris", "application/x-ndjson", "{\"custom_id\": \"c\"}"), 422,
				"invalid-instance", "no 'instance'");
		assertProblem(
				api.post("/v1/jobs?model=iris", "application/x-ndjson",
						"{\"custom_id\": \"c\", \"instance\": [1, 2, 3, 4], \"extra\": 1}"),
				422, "invalid-instance", "'extra'");
		assertProblem(
				api.post("/v1/jobs?model=iris", "application/x-ndjson",
						"{\"custom_id\": \"" + "x".repeat(257) + "\", \"instance\": [1, 2, 3, 4]}"),
				422, "invalid-instance", "1 to 256 characters");
		assertProblem(
				api.post("/v1/jobs?model=iris", "application/x-ndjson", "{\"custom_id\": \"c\", \"instance\": [1, 2]}"),
				422, "invalid-instance", "instances[0] (line 1)");
		assertThat(this.jdbc.queryForObject("select count(*) from jobs", Long.class)).isEqualTo(jobs);
	}

	@Test
	void refusesBadSubmissionsWithProblemDetails() {
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,4],[1,2,3]]}"), 422,
				"invalid-instance", "instances[1]");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,\"x\"]]}"), 422,
				"invalid-instance", "instances[0]");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"nope\",\"instances\":[[1,2,3,4]]}"), 422, "unknown-model",
				"nope");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"iris\",\"version\":\"9\",\"instances\":[[1,2,3,4]]}"),
				422, "unknown-model", "iris:9");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[]}"), 422, "invalid-request",
				"empty");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":"), 400, "malformed-json", "JSON");
		assertProblem(this.api.post("/v1/jobs", "text/plain", "hello"), 415, "unsupported-media-type", null);
		assertProblem(this.api.post("/v1/jobs", WorkerSide.jobJson(3001, null)), 413, "too-many-items", "3000");
		String huge = "{\"model\":\"iris\",\"instances\":[" + "[1.000001,2.000001,3.000001,4.000001],".repeat(12000)
				+ "[1,2,3,4]]}";
		assertProblem(this.api.post("/v1/jobs", huge), 413, "body-too-large", "400000");
		assertProblem(this.api.get("/v1/jobs/not-a-uuid"), 400, "bad-request", "id");
		assertProblem(this.api.get("/v1/jobs/" + UUID.randomUUID()), 404, "not-found", null);
		assertProblem(this.api.get("/v1/jobs?cursor=garbage!"), 400, "bad-request", "cursor");
		assertProblem(this.api.withToken(null).get("/v1/jobs"), 401, "unauthorized", null);
		assertProblem(this.api.withToken("bl_wrong").get("/v1/jobs"), 401, "unauthorized", null);
		assertProblem(this.api.post("/v1/admin/tenants", "{}"), 401, "unauthorized", null);
		assertProblem(
				this.api.post("/v1/jobs",
						"{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"metadata\":{\"a\":\"x\\u0000\"}}"),
				422, "invalid-request", "NUL");
		assertProblem(this.api.withToken("test-admin-token").post("/v1/admin/tenants", "{\"name\":\"a\\u0000b\"}"), 422,
				"invalid-request", "control characters");
	}

	@Test
	void aTenantKeyNeverReachesTheAdminEndpointsWhateverThePathLooksLike() {
		long tenants = this.jdbc.queryForObject("SELECT count(*) FROM tenants", Long.class);
		for (String path : List.of("/v1/admin/tenants", "/v1;x/admin/tenants", "/v1/admin;x/tenants",
				"/v1/%61dmin/tenants", "/%761/admin/tenants", "//v1/admin/tenants", "/v1//admin/tenants",
				"/v1/./admin/tenants", "/v1/jobs/../admin/tenants", "/v1/admin/tenants/", "/V1/admin/tenants")) {
			for (ApiClient client : List.of(this.api, this.api.withToken(null))) {
				ApiClient.Response response = client.post(path, "{}");
				assertThat(response.status()).as(path + " " + response.body()).isIn(400, 401, 404);
				assertThat(response.body()).doesNotContain("api_key");
			}
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM tenants", Long.class)).isEqualTo(tenants);
		ApiClient.Response admin = this.api.withToken("test-admin-token").post("/v1;x/admin/tenants", "{}");
		assertThat(admin.status()).as(admin.body()).isIn(201, 400, 404);
	}

	@Test
	void aTenantNeverSeesAnotherTenantsJobs() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).json().get("id").asString();
		ApiClient admin = this.api.withToken("test-admin-token");
		ApiClient other = this.api.withToken(admin.post("/v1/admin/tenants", "{}").json().get("api_key").asString());
		assertProblem(other.get("/v1/jobs/" + id), 404, "not-found", null);
		assertProblem(other.get("/v1/jobs/" + id + "/results"), 404, "not-found", null);
		assertThat(other.get("/v1/jobs").json().get("data")).isEmpty();
	}

	@Test
	void listsJobsNewestFirstInCursorPagesFilteredByState() {
		ApiClient admin = this.api.withToken("test-admin-token");
		ApiClient tenant = this.api.withToken(admin.post("/v1/admin/tenants", "{}").json().get("api_key").asString());
		List<String> ids = IntStream.range(0, 5)
			.mapToObj((i) -> tenant.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString())
			.toList();
		List<String> seen = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = tenant.get("/v1/jobs?limit=2" + ((cursor != null) ? "&cursor=" + cursor : "")).json();
			assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
			page.get("data").forEach((job) -> seen.add(job.get("id").asString()));
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(seen).containsExactlyElementsOf(ids.reversed());
		assertThat(tenant.get("/v1/jobs?state=queued").json().get("data")).hasSize(5);
		assertThat(tenant.get("/v1/jobs?state=succeeded").json().get("data")).isEmpty();
		assertProblem(tenant.get("/v1/jobs?state=bogus"), 400, "bad-request", "state");
	}

	@Test
	void sendsAChunkAsJsonWhenItsTensorWouldBeTooLargeARecord() {
		// 100,000 one-digit numbers: 200 KB of JSON, 800 KB as float64
		ModelSignature wide = new ModelSignature(List.of(new TensorSpec("x", "float64", List.of(-1L, 100_000L))),
				List.of(new TensorSpec("y", "float32", List.of(-1L))));
		this.workers.announce(new ModelDeployed("wide", "1", wide, 8, Instant.now()));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.api.get("/v1/models/wide").status() == 200);
		String item = "[" + String.join(",", Collections.nCopies(100_000, "7")) + "]";
		ApiClient.Response submitted = this.api.post("/v1/jobs", "{\"model\":\"wide\",\"instances\":[" + item + "]}");
		assertThat(submitted.status()).isEqualTo(202);
		UUID id = UUID.fromString(submitted.json().get("id").asString());
		List<ChunkSubmitted> chunks = this.workers.chunksOf(id, 1);
		assertThat(this.workers.contentTypeOf(id, 0)).isEqualTo(CloudEventRecords.JSON);
		assertThat(chunks.get(0).instances().get(0).size()).isEqualTo(100_000);
	}

	@Test
	void servesTheModelsTheWorkersAnnounced() {
		JsonNode model = this.api.get("/v1/models/iris").json();
		assertThat(model.get("default_version").asString()).isEqualTo("1");
		assertThat(model.get("versions").get(0).get("signature").get("inputs").get(0).get("name").asString())
			.isEqualTo("features");
		assertProblem(this.api.get("/v1/models/unknown"), 404, "not-found", null);
	}

	@Test
	void servesOpenApiAndHealthProbesWithoutAnApiKeyAndMetricsOnlyOnTheManagementPort() {
		ApiClient anonymous = this.api.withToken(null);
		ApiClient.Response openApi = anonymous.get("/v3/api-docs");
		assertThat(openApi.status()).isEqualTo(200);
		assertThat(openApi.body()).contains("/v1/jobs", "/v1/jobs/{id}/results", "/v1/models");
		JsonNode readiness = anonymous.get("/readyz").json();
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
		assertThat(anonymous.get("/livez").status()).isEqualTo(200);
		// no tenant's metrics on the API's port
		assertThat(anonymous.get("/actuator/prometheus", "text/plain").status()).isEqualTo(404);
		assertThat(anonymous.get("/actuator/metrics").status()).isEqualTo(404);
		ApiClient management = new ApiClient("http://localhost:" + this.managementPort, null);
		assertThat(this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).status()).isEqualTo(202);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> management.get("/actuator/prometheus", "text/plain")
				.body()
				.contains("batchline_outbox_published_total"));
		assertThat(management.get("/actuator/prometheus", "text/plain").body())
			.contains("batchline_jobs_submitted_total", "batchline_outbox_published_total");
		assertThat(management.get("/actuator/health/readiness").json().get("status").asString()).isEqualTo("UP");
	}

	private JsonNode awaitState(String id, String state) {
		return awaitState(this.api, id, state);
	}

	private static JsonNode awaitState(ApiClient api, String id, String state) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> api.get("/v1/jobs/" + id).json().get("state").asString().equals(state));
		return api.get("/v1/jobs/" + id).json();
	}

}
