package dev.batchline.api;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.batchline.api.webhook.WebhookDeliveries;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ItemError;
import graphql.introspection.IntrospectionQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * The GraphQL door ({@code /graphql}) against a real PostgreSQL and a real Kafka broker,
 * called with Spring's stock {@code HttpSyncGraphQlClient} over real HTTP with a tenant's
 * API key: it answers what REST answers for the same rows, through the same cores,
 * tenants and errors.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=graphql-it",
				"batchline.topics.partitions=1", "batchline.api.chunk-max-items=50",
				"batchline.api.events.poll-interval=100ms", "batchline.api.events.progress-interval=200ms",
				"spring.graphql.http.sse.keep-alive=1s" })
class GraphQlIntegrationTests extends ApiIntegrationTest {

	private static final String JOB_FIELDS = """
			id state model version cache counts { total succeeded failed skipped pending } metadata
			createdAt history { from to reason at }""";

	@MockitoSpyBean
	private WebhookDeliveries deliveries;

	private GraphQlApi graphql;

	GraphQlIntegrationTests() {
		super("graphql-it", null);
	}

	@BeforeAll
	void graphQlClient() {
		this.graphql = new GraphQlApi(this.port, this.api.token());
	}

	@Test
	void answersAJobAndItsResultsAsTheRestApiDoes() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(120, "{\"batch\":\"g\"}")).json().get("id").asString();
		for (ChunkSubmitted chunk : this.workers.chunksOf(UUID.fromString(id), 3)) {
			this.workers.publishResult(WorkerSide.echo(chunk, 7));
		}
		await().until(() -> this.api.get("/v1/jobs/" + id).json().get("state").asString(),
				"PARTIALLY_SUCCEEDED"::equals);

		JsonNode rest = this.api.get("/v1/jobs/" + id).json();
		JsonNode job = this.graphql.data("query($id: ID!) { job(id: $id) { " + JOB_FIELDS + " } }", "id", id)
			.get("job");
		for (String field : List.of("id", "state", "model", "version", "cache", "counts", "metadata")) {
			assertThat(job.get(field)).as(field).isEqualTo(rest.get(field));
		}
		assertThat(Instant.parse(job.get("createdAt").asString()))
			.isEqualTo(Instant.parse(rest.get("created_at").asString()));
		assertThat(job.get("history").findValuesAsString("to")).containsExactly("QUEUED", "RUNNING",
				"PARTIALLY_SUCCEEDED");
		assertThat(job.get("history").findValuesAsString("to")).isEqualTo(rest.get("history").findValuesAsString("to"));

		// pages of 40 after each page's end cursor: every item once, in input order, as
		// REST's pages show them
		List<JsonNode> items = new ArrayList<>();
		String after = null;
		int pages = 0;
		boolean more = true;
		while (more) {
			JsonNode page = this.graphql.data("""
					query($job: ID!, $after: String) { results(jobId: $job, first: 40, after: $after) {
					  edges { cursor node { index output error { code message } } }
					  pageInfo { hasNextPage hasPreviousPage endCursor } } }""", "job", id, "after", after)
				.get("results");
			page.get("edges").forEach((edge) -> {
				assertThat(edge.get("cursor").asString()).isEqualTo(edge.get("node").get("index").asString());
				items.add(edge.get("node"));
			});
			assertThat(page.get("pageInfo").get("hasPreviousPage").asBoolean()).isEqualTo(after != null);
			more = page.get("pageInfo").get("hasNextPage").asBoolean();
			after = page.get("pageInfo").get("endCursor").asString();
			pages++;
		}
		assertThat(pages).isEqualTo(3);
		JsonNode restItems = this.api.get("/v1/jobs/" + id + "/results?limit=1000").json().get("data");
		assertThat(items).hasSize(restItems.size()).hasSize(120);
		for (int i = 0; i < items.size(); i++) {
			JsonNode item = items.get(i);
			JsonNode expected = restItems.get(i);
			assertThat(item.get("index")).isEqualTo(expected.get("index"));
			assertThat(item.get("output").isNull() ? null : item.get("output")).isEqualTo(expected.get("output"));
			assertThat(item.get("error").isNull() ? null : item.get("error")).isEqualTo(expected.get("error"));
		}
		assertThat(items.get(7).get("error").get("code").asString()).isEqualTo(ItemError.MODEL_ERROR);
	}

	@Test
	void submitsPagesAndCancelsJobsWithTheRestApisCursorsAndRules() {
		ApiClient rest = ApiClient.newTenant(this.port);
		GraphQlApi client = new GraphQlApi(this.port, rest.token());
		List<String> submitted = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			JsonNode job = client
				.data("""
						mutation($instances: [JSON!]!) {
						  submitJob(model: "iris", instances: $instances, metadata: {n: %d}) { id state counts { total } metadata }
						}"""
					.formatted(i), "instances", List.of(List.of(5.1, 3.5, 1.4, 0.2), List.of(i, 3.0, 1.4, 0.2)))
				.get("submitJob");
			assertThat(job.get("state").asString()).isEqualTo("QUEUED");
			assertThat(job.get("counts").get("total").asInt()).isEqualTo(2);
			assertThat(job.get("metadata").get("n").asInt()).isEqualTo(i);
			submitted.add(0, job.get("id").asString());
		}
		assertThat(rest.get("/v1/jobs/" + submitted.get(0)).json().get("metadata").get("n").asInt()).isEqualTo(4);

		List<String> paged = new ArrayList<>();
		String after = null;
		boolean more = true;
		while (more) {
			JsonNode page = client.data("""
					query($after: String) { jobs(first: 2, after: $after) {
					  edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }""", "after", after)
				.get("jobs");
			assertThat(page.get("edges").size()).isBetween(1, 2);
			page.get("edges").forEach((edge) -> paged.add(edge.get("node").get("id").asString()));
			more = page.get("pageInfo").get("hasNextPage").asBoolean();
			after = page.get("pageInfo").get("endCursor").asString();
			// the end cursor is REST's cursor: the next REST page starts where GraphQL's
			// does
			if (more) {
				assertThat(rest.get("/v1/jobs?limit=1&cursor=" + after).json().get("data").get(0).get("id").asString())
					.isEqualTo(submitted.get(paged.size()));
			}
		}
		assertThat(paged).isEqualTo(submitted)
			.isEqualTo(rest.get("/v1/jobs").json().get("data").findValuesAsString("id"));

		JsonNode cancelled = client
			.data("mutation($id: ID!) { cancelJob(id: $id) { id state history { to } } }", "id", submitted.get(0))
			.get("cancelJob");
		assertThat(cancelled.get("state").asString()).isEqualTo("CANCELLING");
		assertThat(rest.get("/v1/jobs/" + submitted.get(0)).json().get("state").asString()).isEqualTo("CANCELLING");
		JsonNode cancelling = client.data("{ jobs(state: CANCELLING) { edges { node { id } } } }").get("jobs");
		assertThat(cancelling.get("edges").findValuesAsString("id")).containsExactly(submitted.get(0));
	}

	@Test
	void anotherTenantsJobIsNullAndItsMutationsAreNotFound() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).json().get("id").asString();
		GraphQlApi other = new GraphQlApi(this.port, ApiClient.newTenant(this.port).token());

		assertThat(other.data("query($id: ID!) { job(id: $id) { id } }", "id", id).get("job").isNull()).isTrue();
		assertThat(other.data("query($id: ID!) { job(id: $id) { id } }", "id", UUID.randomUUID().toString())
			.get("job")
			.isNull()).isTrue();
		assertNotFound(other.error("mutation($id: ID!) { cancelJob(id: $id) { id } }", "id", id));
		assertNotFound(other.error("query($id: ID!) { results(jobId: $id) { edges { cursor } } }", "id", id));
		assertThat(other.data("{ jobs { edges { node { id } } } }").get("jobs").get("edges")).isEmpty();
		assertThat(this.api.get("/v1/jobs/" + id).json().get("state").asString()).isEqualTo("QUEUED");
		// without a key, the authentication filter answers before any GraphQL runs
		ApiClient.assertProblem(
				this.api.withToken(null).post("/graphql", "{\"query\": \"{ jobs { edges { cursor } } }\"}"), 401,
				"unauthorized", null);
	}

	@Test
	void answersBadInputWithAClearErrorOfItsKindNeverAnInternalOne() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString();
		assertBadInput("{ job(id: \"nope\") { id } }", "bad-request", "'id' must be a UUID");
		assertBadInput("{ jobs(first: 0) { edges { cursor } } }", "bad-request", "'first' must be between 1 and 100");
		assertBadInput("{ jobs(first: 101) { edges { cursor } } }", "bad-request", "between 1 and 100");
		assertBadInput("{ jobs(after: \"garbage!\") { edges { cursor } } }", "bad-request", "not a cursor");
		assertBadInput("{ jobs(state: DONE) { edges { cursor } } }", null, "DONE");
		assertBadInput("{ jobs(first: \"ten\") { edges { cursor } } }", null, "first");
		assertBadInput("{ results(jobId: \"" + id + "\", after: \"x\") { edges { cursor } } }", "bad-request",
				"'after' must be the cursor of a result");
		assertBadInput("{ results(jobId: \"" + id + "\", first: 1000) { edges { cursor } } }", "bad-request",
				"between 1 and 100");
		assertBadInput("{ webhookDeliveries(jobId: \"x\") { edges { cursor } } }", "bad-request",
				"'jobId' must be a UUID");
		assertBadInput("{ webhookDeliveries(status: LOST) { edges { cursor } } }", null, "LOST");
		assertBadInput("mutation { submitJob(model: \"nope\", instances: [[1, 2, 3, 4]]) { id } }", "unknown-model",
				"nope");
		ResponseError badShape = assertBadInput("mutation { submitJob(model: \"iris\", instances: [[1, 2]]) { id } }",
				"invalid-instance", "has 2 values, expected 4");
		assertThat(badShape.getExtensions().get("details")).isEqualTo(Map.of("item_index", 0, "code", "bad_shape"));
		assertBadInput("mutation { submitJob(model: \"iris\", instances: [\"a\"]) { id } }", "invalid-instance", null);
		assertBadInput("mutation { submitJob(model: \"iris\", instances: []) { id } }", "invalid-request", "no items");
		assertBadInput("mutation { submitJob(model: \"iris\", instances: [[1, 2, 3, 4]], metadata: 5) { id } }",
				"invalid-request", "'metadata' must be an object");
		assertBadInput("mutation { cancelJob(id: \"1\") { id } }", "bad-request", "'id' must be a UUID");
		assertBadInput("mutation { replayDelivery(id: \"" + UUID.randomUUID() + "\") { replayId } }", "not-found",
				"was not found");
		assertBadInput("{ jobs { edges { node { nope } } } }", null, "nope");
		assertBadInput("{ jobs { edges ", null, null);
	}

	@Test
	void refusesAQueryTooDeepOrTooComplexBeforeRunningIt() {
		String deep = "{ __schema { types { fields { type " + "{ ofType ".repeat(14) + "{ name }" + " }".repeat(14)
				+ " } } } }";
		assertThat(this.graphql.error(deep).getMessage()).contains("maximum query depth exceeded");
		String wide = "{ "
				+ "a%d: jobs(first: 100) { edges { cursor node { id state model version createdAt } } } ".repeat(9)
					.formatted(1, 2, 3, 4, 5, 6, 7, 8, 9)
				+ "}";
		ResponseError refused = this.graphql.error(wide);
		assertThat(refused.getMessage()).contains("maximum query complexity exceeded");
		assertThat(refused.getErrorType()).isNotEqualTo(ErrorType.INTERNAL_ERROR);
		// what a console's tooling asks first still passes
		assertThat(this.graphql.data(IntrospectionQuery.INTROSPECTION_QUERY).get("__schema").get("types")).isNotEmpty();
	}

	@Test
	void loadsTheDeliveriesOfAPageOfJobsInOneCallHoweverManyJobs() {
		ApiClient rest = ApiClient.newTenant(this.port);
		GraphQlApi client = new GraphQlApi(this.port, rest.token());
		List<UUID> jobs = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			jobs.add(UUID.fromString(rest.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString()));
		}
		UUID tenant = this.jdbc.queryForObject("select tenant_id from jobs where id = ?", UUID.class, jobs.get(0));
		Instant base = Instant.now().minusSeconds(60);
		for (int i = 0; i < jobs.size(); i++) {
			for (int d = 0; d <= i % 3; d++) {
				insertDelivery(tenant, jobs.get(i), (d == 0) ? "FAILED" : "SUCCEEDED", base.plusSeconds(i * 3L + d));
			}
		}

		clearInvocations(this.deliveries);
		JsonNode page = client.data("{ jobs(first: 6) { edges { node { id deliveries { id jobId status } } } } }")
			.get("jobs");
		verify(this.deliveries, times(1)).latestOfJobs(any(), any(), anyInt());
		verify(this.deliveries).latestOfJobs(any(),
				argThat((Collection<UUID> ids) -> ids.size() == 6 && ids.containsAll(jobs)), anyInt());
		assertThat(page.get("edges")).hasSize(6);
		for (JsonNode edge : page.get("edges")) {
			String job = edge.get("node").get("id").asString();
			JsonNode expected = rest.get("/v1/webhook-deliveries?job_id=" + job).json().get("data");
			assertThat(edge.get("node").get("deliveries").findValuesAsString("id"))
				.isEqualTo(expected.findValuesAsString("id"))
				.hasSize(jobs.indexOf(UUID.fromString(job)) % 3 + 1);
		}
	}

	@Test
	void listsModelsWebhookEndpointsAndDeliveriesAndReplaysOneAsRestDoes() {
		ApiClient rest = ApiClient.newTenant(this.port);
		GraphQlApi client = new GraphQlApi(this.port, rest.token());
		JsonNode iris = rest.get("/v1/models/iris").json();
		JsonNode model = client.data("""
				{ models { name defaultVersion versions { version maxBatchSize fingerprint workers
				  signature { inputs { name dtype shape } outputs { name dtype shape } } } } }""").get("models").get(0);
		assertThat(model.get("name").asString()).isEqualTo("iris");
		assertThat(model.get("defaultVersion")).isEqualTo(iris.get("default_version"));
		assertThat(model.get("versions").get(0).get("signature"))
			.isEqualTo(iris.get("versions").get(0).get("signature"));
		assertThat(model.get("versions").get(0).get("workers")).isEqualTo(iris.get("versions").get(0).get("workers"));

		String endpoint = rest.post("/v1/webhook-endpoints", "{\"url\":\"https://8.8.8.8/hook\"}")
			.json()
			.get("id")
			.asString();
		JsonNode endpoints = client.data("{ webhookEndpoints { id url eventTypes enabled signatureScheme publicKey } }")
			.get("webhookEndpoints");
		assertThat(endpoints.findValuesAsString("id")).containsExactly(endpoint);
		assertThat(endpoints.get(0).get("eventTypes"))
			.isEqualTo(rest.get("/v1/webhook-endpoints/" + endpoint).json().get("event_types"));

		UUID job = UUID.fromString(rest.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString());
		UUID tenant = this.jdbc.queryForObject("select tenant_id from jobs where id = ?", UUID.class, job);
		Instant base = Instant.now().minusSeconds(60);
		UUID failed = insertDelivery(tenant, job, "FAILED", base);
		UUID pending = insertDelivery(tenant, job, "PENDING", base.plusSeconds(1));
		insertDelivery(tenant, UUID.randomUUID(), "SUCCEEDED", base.plusSeconds(2));
		JsonNode page = client
			.data("query($job: ID) { webhookDeliveries(first: 1, jobId: $job) { edges { node { id status } } "
					+ "pageInfo { hasNextPage endCursor } } }", "job", job.toString())
			.get("webhookDeliveries");
		assertThat(page.get("edges").findValuesAsString("id")).containsExactly(pending.toString());
		assertThat(page.get("pageInfo").get("hasNextPage").asBoolean()).isTrue();
		assertThat(client.data(
				"query($after: String) { webhookDeliveries(status: FAILED, after: $after) { edges { node { id } } } }",
				"after", page.get("pageInfo").get("endCursor").asString())
			.get("webhookDeliveries")
			.get("edges")
			.findValuesAsString("id")).containsExactly(failed.toString());

		JsonNode replay = client
			.data("mutation($id: ID!) { replayDelivery(id: $id) { replayId deliveryId } }", "id", failed.toString())
			.get("replayDelivery");
		assertThat(replay.get("deliveryId").asString()).isEqualTo(failed.toString());
		assertThat(replay.get("replayId").isNull()).isFalse();
		ResponseError stillPending = client.error("mutation($id: ID!) { replayDelivery(id: $id) { replayId } }", "id",
				pending.toString());
		assertThat(stillPending.getExtensions()).containsEntry("code", "delivery-pending");
		assertThat(stillPending.getErrorType()).isEqualTo(ErrorType.BAD_REQUEST);
	}

	@Test
	void streamsAJobsEventsOverSseUntilItsTerminalStateChange() throws Exception {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(120, null)).json().get("id").asString();
		try (GraphQlSse sse = new GraphQlSse(this.port, this.api.token())) {
			Future<List<GraphQlSse.Event>> stream = sse
				.subscribe("subscription($id: ID!) { jobEvents(id: $id) { id name terminal change { from to reason } "
						+ "counts { total succeeded failed pending } } }", Map.of("id", id));
			for (ChunkSubmitted chunk : this.workers.chunksOf(UUID.fromString(id), 3)) {
				this.workers.publishResult(WorkerSide.echo(chunk, -1));
			}
			List<GraphQlSse.Event> events = stream.get(30, TimeUnit.SECONDS);
			assertThat(events).extracting(GraphQlSse.Event::name).last().isEqualTo("complete");
			List<JsonNode> jobEvents = events.stream()
				.filter((event) -> event.name().equals("next"))
				.map((event) -> event.json().get("data").get("jobEvents"))
				.toList();
			List<String> states = jobEvents.stream()
				.filter((event) -> event.get("name").asString().equals("state"))
				.map((event) -> event.get("change").get("to").asString())
				.toList();
			assertThat(states).containsExactly("QUEUED", "RUNNING", "SUCCEEDED")
				.isEqualTo(this.api.get("/v1/jobs/" + id).json().get("history").findValuesAsString("to"));
			JsonNode last = jobEvents.get(jobEvents.size() - 1);
			assertThat(last.get("terminal").asBoolean()).isTrue();
			JsonNode progress = jobEvents.get(jobEvents.size() - 2);
			assertThat(progress.get("name").asString()).isEqualTo("progress");
			assertThat(progress.get("counts").get("succeeded").asInt()).isEqualTo(120);
			assertThat(progress.get("counts").get("pending").asInt()).isZero();
			assertThat(jobEvents.stream().filter((event) -> !event.get("terminal").asBoolean()))
				.allMatch((event) -> event.get("change").isNull()
						|| !event.get("change").get("to").asString().equals("SUCCEEDED"));
			List<String> ids = jobEvents.stream().map((event) -> event.get("id").asString()).toList();
			assertThat(ids).doesNotHaveDuplicates().last().isEqualTo("3-120");

			// resumed after its last event, the stream has nothing more to send
			List<GraphQlSse.Event> resumed = sse
				.subscribe("subscription($id: ID!, $after: String) { jobEvents(id: $id, after: $after) { id } }",
						Map.of("id", id, "after", "3-120"))
				.get(30, TimeUnit.SECONDS);
			assertThat(resumed).extracting(GraphQlSse.Event::name).containsExactly("complete");
		}
	}

	@Test
	void refusesToStreamAnotherTenantsJobOrABadIdWithAGraphQlErrorOnTheStream() throws Exception {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString();
		String document = "subscription($id: ID!) { jobEvents(id: $id) { id } }";
		try (GraphQlSse other = new GraphQlSse(this.port, ApiClient.newTenant(this.port).token())) {
			List<GraphQlSse.Event> events = other.subscribe(document, Map.of("id", id)).get(30, TimeUnit.SECONDS);
			assertThat(events).extracting(GraphQlSse.Event::name).containsExactly("next", "complete");
			JsonNode error = events.get(0).json().get("errors").get(0);
			assertThat(error.get("extensions").get("classification").asString()).isEqualTo("NOT_FOUND");
			assertThat(error.get("extensions").get("code").asString()).isEqualTo("not-found");

			events = other.subscribe(document, Map.of("id", "nope")).get(30, TimeUnit.SECONDS);
			error = events.get(0).json().get("errors").get(0);
			assertThat(error.get("extensions").get("classification").asString()).isEqualTo("BAD_REQUEST");
			assertThat(error.get("message").asString()).isEqualTo("'id' must be a UUID");
		}
	}

	private ResponseError assertBadInput(String document, String kind, String messagePart) {
		ResponseError error = this.graphql.error(document);
		assertThat(error.getErrorType()).as(document).isNotEqualTo(ErrorType.INTERNAL_ERROR);
		assertThat(error.getMessage()).as(document).doesNotContain("Exception").doesNotContain("\tat ");
		if (kind != null) {
			assertThat(error.getExtensions()).as(document)
				.containsEntry("code", kind)
				.containsEntry("type", "https://batchline.dev/problems/" + kind);
			assertThat(error.getErrorType()).as(document).isIn(ErrorType.BAD_REQUEST, ErrorType.NOT_FOUND);
		}
		if (messagePart != null) {
			assertThat(error.getMessage()).as(document).contains(messagePart);
		}
		return error;
	}

	private static void assertNotFound(ResponseError error) {
		assertThat(error.getErrorType()).isEqualTo(ErrorType.NOT_FOUND);
		assertThat(error.getExtensions()).containsEntry("code", "not-found").containsEntry("status", 404);
		assertThat(error.getMessage()).contains("was not found");
	}

	/** A delivery as the dispatcher records it, to the job's own callback URL. */
	private UUID insertDelivery(UUID tenant, UUID job, String status, Instant createdAt) {
		UUID id = UUID.randomUUID();
		boolean pending = status.equals("PENDING");
		this.jdbc.update("""
				insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, url, payload, status,
				    attempts, next_attempt_at, created_at, destination)
				values (?, ?, ?, ?, ?, 'https://8.8.8.8/hook', '{}'::bytea, ?, ?, ?, ?, 'callback')""", id,
				UUID.randomUUID(), "job.succeeded", tenant, job, status, pending ? 0 : 1,
				pending ? Timestamp.from(createdAt) : null, Timestamp.from(createdAt));
		return id;
	}

}
