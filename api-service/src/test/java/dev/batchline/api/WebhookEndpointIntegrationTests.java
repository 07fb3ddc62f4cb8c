package dev.batchline.api;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabled;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookReplayRequested;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.testsupport.TestInfrastructure;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TopicRecords;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Webhook endpoints, secrets, job callbacks, the delivery log and replays against a real
 * PostgreSQL and Kafka, with the SSRF guard on as in production. The dispatcher is not
 * running: deliveries are written here as it writes them, what it reports is sent to
 * Kafka as it sends it, what the API asks of it is read from Kafka, and no request ever
 * leaves the API (so public addresses like 8.8.8.8 are safe to register).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=webhook-it",
				"batchline.topics.partitions=1", "batchline.webhooks.allow-private-networks=false",
				"batchline.webhooks.secret-rotation-overlap=1h" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointIntegrationTests {

	private static final Topics TOPICS = new Topics("webhook-it");

	private static final String PUBLIC_URL = "https://8.8.8.8/hook";

	private static final List<String> DEFAULT_EVENT_TYPES = List.of("job.succeeded", "job.partially_succeeded",
			"job.failed", "job.cancelled", "job.expired");

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	/** Opens the stored secrets, which are sealed. */
	@Autowired
	SecretBox box;

	private ApiClient admin;

	private KafkaProducer<String, CloudEvent> producer;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.postgresAndKafka(registry);
	}

	@BeforeAll
	void setUp() {
		this.admin = new ApiClient("http://localhost:" + this.port, "test-admin-token");
		ModelSignature signature = new ModelSignature(List.of(new TensorSpec("features", "float32", List.of(-1L, 4L))),
				List.of(new TensorSpec("class_id", "int64", List.of(-1L))));
		ModelDeployed iris = new ModelDeployed("iris", "1", signature, 256, Instant.now());
		this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
		this.producer.send(new ProducerRecord<>(TOPICS.models(), iris.key(),
				CloudEventRecords.event(ModelDeployed.TYPE, "worker-service", iris.key(), iris)));
		this.producer.flush();
		Tenant tenant = newTenant();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> tenant.api().get("/v1/models").json().get("data").toString().contains("iris"));
	}

	@AfterAll
	void closeProducer() {
		this.producer.close();
	}

	@Test
	void registersAnEndpointAndShowsItsSecretOnlyOnRegistration() {
		Tenant tenant = newTenant();
		ApiClient.Response created = tenant.api()
			.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"description\":\"orders\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		JsonNode endpoint = created.json();
		String id = endpoint.get("id").asString();
		assertThat(created.headers().firstValue("Location")).hasValue(tenant.api().url("/v1/webhook-endpoints/" + id));
		assertThat(endpoint.get("url").asString()).isEqualTo(PUBLIC_URL);
		assertThat(endpoint.get("enabled").asBoolean()).isTrue();
		assertThat(endpoint.get("description").asString()).isEqualTo("orders");
		assertThat(strings(endpoint.get("event_types"))).containsExactlyElementsOf(DEFAULT_EVENT_TYPES);
		String secret = endpoint.get("secret").asString();
		assertThat(secret).startsWith("whsec_");
		assertThat(WebhookSecret.parse(secret).value()).isEqualTo(secret);

		JsonNode shown = tenant.api().get("/v1/webhook-endpoints/" + id).json();
		assertThat(shown.get("url").asString()).isEqualTo(PUBLIC_URL);
		assertThat(shown.has("secret")).isFalse();
		JsonNode list = tenant.api().get("/v1/webhook-endpoints").json().get("data");
		assertThat(list).hasSize(1);
		assertThat(list.get(0).get("id").asString()).isEqualTo(id);
		assertThat(list.toString()).doesNotContain("whsec_");

		// progress events are opt-in, and the dispatcher matches on the stored array
		String progress = tenant.api()
			.post("/v1/webhook-endpoints",
					"{\"url\":\"" + PUBLIC_URL + "\",\"event_types\":[\"job.progress\",\"job.failed\",\"job.failed\"]}")
			.json()
			.get("id")
			.asString();
		assertThat(this.jdbc
			.queryForObject("select count(*) from webhook_endpoints where id = ? and 'job.progress' = any(event_types)"
					+ " and cardinality(event_types) = 2", Integer.class, UUID.fromString(progress)))
			.isEqualTo(1);
		assertThat(tenant.api().get("/v1/webhook-endpoints").json().get("data")).hasSize(2);
	}

	@Test
	void refusesUrlsThatWebhooksMustNotReach() {
		Tenant tenant = newTenant();
		List<String> forbidden = List.of("http://127.0.0.1/hook", "http://localhost:8080/hook", "http://[::1]/hook",
				"http://10.0.0.5/hook", "http://172.16.3.4/hook", "http://192.168.1.10/hook",
				"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook", "http://[fd00::1]/hook",
				"http://224.0.0.1/hook", "http://0.0.0.0/hook", "http://[::]/hook", "http://[::ffff:127.0.0.1]/hook",
				"http://[64:ff9b::a9fe:a9fe]/hook", "http://[2002:a9fe:a9fe::]/hook", "ftp://8.8.8.8/hook",
				"file:///etc/passwd", "https://user:password@8.8.8.8/hook", "not a url");
		for (String url : forbidden) {
			assertProblem(tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"" + url + "\"}"), 422, "forbidden-url",
					"'url' is not allowed");
		}
		assertProblem(tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"http://169.254.169.254/\"}"), 422,
				"forbidden-url", "'url' is not allowed: the host '169.254.169.254' resolves to a non-public address");
		ApiClient.Response byName = tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"http://localhost:8080/\"}");
		assertProblem(byName, 422, "forbidden-url", "the host 'localhost' resolves to a non-public address");
		assertThat(byName.body()).doesNotContain("127.0.0.1").doesNotContain("loopback");
		assertProblem(tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"ftp://8.8.8.8/hook\"}"), 422,
				"forbidden-url", "only http and https");
		assertThat(tenant.api().get("/v1/webhook-endpoints").json().get("data")).isEmpty();

		String id = register(tenant, PUBLIC_URL);
		assertThat(tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"http://8.8.4.4:8443/x\"}").status())
			.isEqualTo(201);
		assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"url\":\"http://10.1.2.3/hook\"}"), 422,
				"forbidden-url", "non-public address");
		assertThat(tenant.api().get("/v1/webhook-endpoints/" + id).json().get("url").asString()).isEqualTo(PUBLIC_URL);
	}

	@Test
	void refusesMalformedEndpointRequestsWithProblemDetails() {
		ApiClient api = newTenant().api();
		assertProblem(
				api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"event_types\":[\"job.done\"]}"),
				422, "unknown-event-type", "job.done");
		assertProblem(
				api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"event_types\":[\"job.queued\"]}"),
				422, "unknown-event-type", "job.queued");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"event_types\":[]}"), 422,
				"invalid-request", "event_types");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"event_types\":[\"job.failed\"]}"), 422, "invalid-request",
				"'url' is required");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"url\":42}"), 422, "invalid-request", "'url'");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"enabled\":\"yes\"}"), 422,
				"invalid-request", "'enabled'");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"secret\":\"whsec_x\"}"), 422,
				"invalid-request", "unknown field 'secret'");
		assertProblem(api.post("/v1/webhook-endpoints", "{\"url\":"), 400, "malformed-json", null);
		assertProblem(api.post("/v1/webhook-endpoints", "[]"), 400, "bad-request", null);
		assertProblem(api.get("/v1/webhook-endpoints/not-a-uuid"), 400, "bad-request", "id");
		assertProblem(api.get("/v1/webhook-endpoints/" + UUID.randomUUID()), 404, "not-found", null);
		assertProblem(api.withToken(null).get("/v1/webhook-endpoints"), 401, "unauthorized", null);
	}

	@Test
	void setsAnEndpointsRateLimitAtRegistrationChangesAndClearsItAndRefusesBadOnes() {
		Tenant tenant = newTenant();
		ApiClient.Response created = tenant.api()
			.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"rate_limit\":25}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertThat(created.json().get("rate_limit").asInt()).isEqualTo(25);
		String id = created.json().get("id").asString();
		assertThat(this.jdbc.queryForObject("select rate_limit from webhook_destinations where endpoint_id = ?::uuid",
				Integer.class, id))
			.isEqualTo(25);
		assertThat(tenant.api()
			.patch("/v1/webhook-endpoints/" + id, "{\"rate_limit\":3}")
			.json()
			.get("rate_limit")
			.asInt()).isEqualTo(3);
		assertThat(tenant.api()
			.patch("/v1/webhook-endpoints/" + id, "{\"description\":\"kept\"}")
			.json()
			.get("rate_limit")
			.asInt()).isEqualTo(3);
		assertThat(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"rate_limit\":null}").json().has("rate_limit"))
			.isFalse();
		for (String bad : List.of("0", "-1", "1.5", "\"10\"", "10001", "4294967296")) {
			assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"rate_limit\":" + bad + "}"), 422,
					"invalid-request", "'rate_limit'");
		}
		assertProblem(tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"rate_limit\":0}"),
				422, "invalid-request", "'rate_limit'");
	}

	@Test
	void updatesAnEndpointAndEnablingItClearsWhyTheDispatcherDisabledIt() {
		Tenant tenant = newTenant();
		String id = register(tenant, PUBLIC_URL);
		reportGone(tenant, UUID.fromString(id), version(id));
		await().atMost(Duration.ofSeconds(20)).until(() -> !enabled(id));
		JsonNode disabled = tenant.api().get("/v1/webhook-endpoints/" + id).json();
		assertThat(disabled.get("enabled").asBoolean()).isFalse();
		assertThat(disabled.get("disabled_reason").asString()).contains("410");
		// the dispatcher is told, for the webhook.endpoint.disabled webhook
		WebhookEndpointDisabledNotice notice = TopicRecords.first(TOPICS.webhookCommands(), id,
				WebhookEndpointDisabledNotice.TYPE, WebhookEndpointDisabledNotice.class);
		assertThat(notice.tenantId()).isEqualTo(tenant.id());
		assertThat(notice.url()).isEqualTo(disabled.get("url").asString());
		assertThat(notice.reason()).contains("410");

		ApiClient.Response patched = tenant.api()
			.patch("/v1/webhook-endpoints/" + id, "{\"enabled\":true,\"url\":\"https://8.8.4.4/v2/hook\","
					+ "\"event_types\":[\"job.failed\",\"job.progress\"],\"description\":\"v2\"}");
		assertThat(patched.status()).as(patched.body()).isEqualTo(200);
		JsonNode endpoint = patched.json();
		assertThat(endpoint.get("enabled").asBoolean()).isTrue();
		assertThat(endpoint.has("disabled_reason")).isFalse();
		assertThat(endpoint.get("url").asString()).isEqualTo("https://8.8.4.4/v2/hook");
		assertThat(strings(endpoint.get("event_types"))).containsExactly("job.failed", "job.progress");
		assertThat(endpoint.get("description").asString()).isEqualTo("v2");
		assertThat(endpoint.has("secret")).isFalse();

		// fields left out stay; null clears the description
		JsonNode cleared = tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"description\":null}").json();
		assertThat(cleared.has("description")).isFalse();
		assertThat(cleared.get("url").asString()).isEqualTo("https://8.8.4.4/v2/hook");
		assertThat(strings(cleared.get("event_types"))).containsExactly("job.failed", "job.progress");
		JsonNode off = tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"enabled\":false}").json();
		assertThat(off.get("enabled").asBoolean()).isFalse();
		assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"event_types\":[\"nope\"]}"), 422,
				"unknown-event-type", "nope");
		assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"url\":null}"), 422, "invalid-request",
				"'url'");
		assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + UUID.randomUUID(), "{\"enabled\":true}"), 404,
				"not-found", null);
	}

	@Test
	void disablesAGoneEndpointOnlyWhileItIsStillTheOneTheDispatcherSentTo() {
		Tenant tenant = newTenant();
		String id = register(tenant, PUBLIC_URL);
		long sentWith = version(id);
		tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"description\":\"changed since\"}");
		reportGone(tenant, UUID.fromString(id), sentWith);
		awaitReportsApplied(tenant);
		assertThat(enabled(id)).as("a report about an older version").isTrue();

		WebhookEndpointDisabled current = reportGone(tenant, UUID.fromString(id), version(id));
		await().atMost(Duration.ofSeconds(20)).until(() -> !enabled(id));
		JsonNode disabled = tenant.api().get("/v1/webhook-endpoints/" + id).json();
		assertThat(disabled.get("disabled_reason").asString()).isEqualTo("the receiver answered 410 Gone");

		tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"enabled\":true}");
		send(current);
		awaitReportsApplied(tenant);
		assertThat(enabled(id)).as("the same report once more, after the tenant enabled the endpoint").isTrue();
	}

	@Test
	void deletesAnEndpointSoftlySoItsDeliveryLogStaysReadable() {
		Tenant tenant = newTenant();
		String id = register(tenant, PUBLIC_URL);
		UUID delivery = insertDelivery(tenant, UUID.randomUUID(), UUID.fromString(id), "FAILED", Instant.now());
		ApiClient.Response deleted = tenant.api().delete("/v1/webhook-endpoints/" + id);
		assertThat(deleted.status()).isEqualTo(204);
		assertThat(deleted.body()).isEmpty();
		assertProblem(tenant.api().get("/v1/webhook-endpoints/" + id), 404, "not-found", null);
		assertProblem(tenant.api().get("/v1/webhook-endpoints/" + id + "/secret"), 404, "not-found", null);
		assertProblem(tenant.api().patch("/v1/webhook-endpoints/" + id, "{\"enabled\":true}"), 404, "not-found", null);
		assertProblem(tenant.api().delete("/v1/webhook-endpoints/" + id), 404, "not-found", null);
		assertThat(tenant.api().get("/v1/webhook-endpoints").json().get("data")).isEmpty();
		assertThat(this.jdbc.queryForObject("select deleted_at is not null from webhook_endpoints where id = ?",
				Boolean.class, UUID.fromString(id)))
			.isTrue();
		assertThat(tenant.api().get("/v1/webhook-deliveries/" + delivery).status()).isEqualTo(200);
		// the dispatcher would only abandon it
		assertProblem(tenant.api().post("/v1/webhook-deliveries/" + delivery + "/replay", ""), 409, "endpoint-disabled",
				"deleted");
		assertProblem(tenant.api().post("/v1/webhook-endpoints/" + id + "/replay?since=2020-01-01T00:00:00Z", ""), 404,
				"not-found", null);
	}

	@Test
	void aTenantNeverSeesAnotherTenantsEndpointsOrDeliveries() {
		Tenant owner = newTenant();
		String id = register(owner, PUBLIC_URL);
		UUID delivery = insertDelivery(owner, UUID.randomUUID(), UUID.fromString(id), "FAILED", Instant.now());
		ApiClient other = newTenant().api();
		assertProblem(other.get("/v1/webhook-endpoints/" + id), 404, "not-found", null);
		assertProblem(other.patch("/v1/webhook-endpoints/" + id, "{\"enabled\":false}"), 404, "not-found", null);
		assertProblem(other.delete("/v1/webhook-endpoints/" + id), 404, "not-found", null);
		assertProblem(other.get("/v1/webhook-endpoints/" + id + "/secret"), 404, "not-found", null);
		assertProblem(other.post("/v1/webhook-endpoints/" + id + "/secret/rotate", ""), 404, "not-found", null);
		assertProblem(other.post("/v1/webhook-endpoints/" + id + "/replay?since=2020-01-01T00:00:00Z", ""), 404,
				"not-found", null);
		assertProblem(other.get("/v1/webhook-deliveries/" + delivery), 404, "not-found", null);
		assertProblem(other.post("/v1/webhook-deliveries/" + delivery + "/replay", ""), 404, "not-found", null);
		assertThat(other.get("/v1/webhook-endpoints").json().get("data")).isEmpty();
		assertThat(other.get("/v1/webhook-deliveries").json().get("data")).isEmpty();
		assertThat(other.get("/v1/webhook-deliveries?endpoint_id=" + id).json().get("data")).isEmpty();
		assertThat(owner.api().get("/v1/webhook-endpoints/" + id).json().get("enabled").asBoolean()).isTrue();
		assertThat(
				this.jdbc.queryForObject("select status from webhook_deliveries where id = ?", String.class, delivery))
			.isEqualTo("FAILED");
	}

	@Test
	void rotatingAnEndpointSecretKeepsThePreviousOneForTheOverlap() {
		Tenant tenant = newTenant();
		JsonNode created = tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\"}").json();
		String id = created.get("id").asString();
		String first = created.get("secret").asString();
		JsonNode revealed = tenant.api().get("/v1/webhook-endpoints/" + id + "/secret").json();
		assertThat(revealed.get("secret").asString()).isEqualTo(first);
		assertThat(revealed.has("previous_secret")).isFalse();

		JsonNode rotated = tenant.api().post("/v1/webhook-endpoints/" + id + "/secret/rotate", "").json();
		String second = rotated.get("secret").asString();
		assertThat(second).startsWith("whsec_").isNotEqualTo(first);
		assertThat(rotated.get("previous_secret").asString()).isEqualTo(first);
		assertThat(Instant.parse(rotated.get("previous_secret_expires_at").asString()))
			.isCloseTo(Instant.now().plus(Duration.ofHours(1)), within(1, ChronoUnit.MINUTES));
		assertThat(tenant.api().get("/v1/webhook-endpoints/" + id + "/secret").json()).isEqualTo(rotated);
		assertThat(this.box.open(this.jdbc.queryForObject("select secret from webhook_endpoints where id = ?",
				String.class, UUID.fromString(id))))
			.isEqualTo(second);

		JsonNode again = tenant.api().post("/v1/webhook-endpoints/" + id + "/secret/rotate", "").json();
		assertThat(again.get("previous_secret").asString()).isEqualTo(second);

		// once the overlap is over the previous secret no longer signs, so it is not
		// shown
		this.jdbc.update("update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second'"
				+ " where id = ?", UUID.fromString(id));
		JsonNode expired = tenant.api().get("/v1/webhook-endpoints/" + id + "/secret").json();
		assertThat(expired.get("secret").asString()).isEqualTo(again.get("secret").asString());
		assertThat(expired.has("previous_secret")).isFalse();
		assertThat(expired.has("previous_secret_expires_at")).isFalse();
	}

	@Test
	void aTenantHasACallbackSecretFromTheStartAndCanRotateIt() {
		Tenant tenant = newTenant();
		String stored = this.box.open(
				this.jdbc.queryForObject("select webhook_secret from tenants where id = ?", String.class, tenant.id()));
		assertThat(stored).startsWith("whsec_");
		JsonNode revealed = tenant.api().get("/v1/callback-secret").json();
		assertThat(revealed.get("secret").asString()).isEqualTo(stored);
		assertThat(revealed.has("previous_secret")).isFalse();

		JsonNode rotated = tenant.api().post("/v1/callback-secret/rotate", "").json();
		assertThat(rotated.get("secret").asString()).startsWith("whsec_").isNotEqualTo(stored);
		assertThat(rotated.get("previous_secret").asString()).isEqualTo(stored);
		assertThat(Instant.parse(rotated.get("previous_secret_expires_at").asString()))
			.isCloseTo(Instant.now().plus(Duration.ofHours(1)), within(1, ChronoUnit.MINUTES));
		assertThat(tenant.api().get("/v1/callback-secret").json()).isEqualTo(rotated);
		assertThat(newTenant().api().get("/v1/callback-secret").json().get("secret").asString())
			.isNotEqualTo(rotated.get("secret").asString());
	}

	@Test
	void aTenantFromBeforeWebhooksGetsItsCallbackSecretOnFirstUse() {
		Tenant tenant = newTenant();
		this.jdbc.update("update tenants set webhook_secret = null where id = ?", tenant.id());
		String secret = tenant.api().get("/v1/callback-secret").json().get("secret").asString();
		assertThat(secret).startsWith("whsec_");
		assertThat(this.box.open(
				this.jdbc.queryForObject("select webhook_secret from tenants where id = ?", String.class, tenant.id())))
			.isEqualTo(secret);
		assertThat(tenant.api().get("/v1/callback-secret").json().get("secret").asString()).isEqualTo(secret);

		this.jdbc.update("update tenants set webhook_secret = null where id = ?", tenant.id());
		JsonNode rotated = tenant.api().post("/v1/callback-secret/rotate", "").json();
		assertThat(rotated.get("secret").asString()).startsWith("whsec_");
		assertThat(rotated.has("previous_secret")).isFalse();
	}

	@Test
	void storesAndShowsAJobsCallbackUrlAndRefusesForbiddenOnes() {
		Tenant tenant = newTenant();
		ApiClient.Response submitted = tenant.api()
			.post("/v1/jobs",
					"{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":{\"url\":\"" + PUBLIC_URL + "\"}}");
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		String id = submitted.json().get("id").asString();
		assertThat(submitted.json().get("callback").get("url").asString()).isEqualTo(PUBLIC_URL);
		assertThat(tenant.api().get("/v1/jobs/" + id).json().get("callback").get("url").asString())
			.isEqualTo(PUBLIC_URL);
		assertThat(this.jdbc.queryForObject("select callback_url from jobs where id = ?", String.class,
				UUID.fromString(id)))
			.isEqualTo(PUBLIC_URL);
		String plain = tenant.api()
			.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,4]]}")
			.json()
			.get("id")
			.asString();
		assertThat(tenant.api().get("/v1/jobs/" + plain).json().has("callback")).isFalse();

		assertProblem(tenant.api()
			.post("/v1/jobs",
					"{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":{\"url\":\"http://169.254.169.254/\"}}"),
				422, "forbidden-url", "'callback.url' is not allowed");
		assertProblem(tenant.api()
			.post("/v1/jobs",
					"{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":{\"url\":\"http://[fd00::1]/\"}}"),
				422, "forbidden-url", "non-public address");
		assertProblem(tenant.api()
			.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":\"" + PUBLIC_URL + "\"}"),
				422, "invalid-request", "'callback' must be an object");
		assertProblem(tenant.api().post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":{}}"),
				422, "invalid-request", "'callback.url' is required");
		assertProblem(tenant.api()
			.post("/v1/jobs", "{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":{\"url\":\"" + PUBLIC_URL
					+ "\",\"secret\":\"x\"}}"),
				422, "invalid-request", "callback.secret");
		assertThat(tenant.api().get("/v1/jobs").json().get("data")).hasSize(2);
	}

	@Test
	void listsDeliveriesNewestFirstFilteredAndInCursorPagesWithTheirAttempts() {
		Tenant tenant = newTenant();
		UUID endpoint = UUID.fromString(register(tenant, PUBLIC_URL));
		UUID jobA = UUID.randomUUID();
		UUID jobB = UUID.randomUUID();
		Instant base = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
		List<UUID> ids = new ArrayList<>();
		ids.add(insertDelivery(tenant, jobA, endpoint, "SUCCEEDED", base));
		ids.add(insertDelivery(tenant, jobA, null, "FAILED", base.plusSeconds(1)));
		ids.add(insertDelivery(tenant, jobB, endpoint, "FAILED", base.plusSeconds(2)));
		ids.add(insertDelivery(tenant, jobB, endpoint, "PENDING", base.plusSeconds(3)));
		ids.add(insertDelivery(tenant, jobB, null, "PENDING", base.plusSeconds(4)));
		insertDelivery(newTenant(), jobA, null, "FAILED", base.plusSeconds(5));
		insertAttempt(ids.get(2), base.plusSeconds(2), 500, "HTTP 500", "oops");
		insertAttempt(ids.get(2), base.plusSeconds(7), null, "connect timed out", null);

		List<String> seen = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = tenant.api()
				.get("/v1/webhook-deliveries?limit=2" + ((cursor != null) ? "&cursor=" + cursor : ""))
				.json();
			assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
			page.get("data").forEach((d) -> seen.add(d.get("id").asString()));
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(seen).containsExactlyElementsOf(ids.reversed().stream().map(UUID::toString).toList());

		assertThat(ids(tenant.api().get("/v1/webhook-deliveries?status=failed"))).containsExactly(ids.get(2),
				ids.get(1));
		assertThat(ids(tenant.api().get("/v1/webhook-deliveries?job_id=" + jobA))).containsExactly(ids.get(1),
				ids.get(0));
		assertThat(ids(tenant.api().get("/v1/webhook-deliveries?endpoint_id=" + endpoint + "&status=PENDING")))
			.containsExactly(ids.get(3));
		assertProblem(tenant.api().get("/v1/webhook-deliveries?status=DEAD"), 400, "bad-request", "status");
		assertProblem(tenant.api().get("/v1/webhook-deliveries?limit=0"), 400, "bad-request", "limit");
		assertProblem(tenant.api().get("/v1/webhook-deliveries?job_id=nope"), 400, "bad-request", "job_id");
		assertProblem(tenant.api().get("/v1/webhook-deliveries?cursor=garbage!"), 400, "bad-request", "cursor");

		JsonNode listed = tenant.api().get("/v1/webhook-deliveries?job_id=" + jobB + "&status=FAILED").json();
		JsonNode row = listed.get("data").get(0);
		assertThat(row.get("event_type").asString()).isEqualTo("job.failed");
		assertThat(row.get("job_id").asString()).isEqualTo(jobB.toString());
		assertThat(row.get("endpoint_id").asString()).isEqualTo(endpoint.toString());
		assertThat(row.get("url").asString()).isEqualTo(PUBLIC_URL);
		assertThat(row.get("attempts").asInt()).isEqualTo(8);
		assertThat(row.get("last_status_code").asInt()).isEqualTo(500);
		assertThat(row.get("last_error").asString()).isEqualTo("HTTP 500");
		assertThat(row.has("attempt_log")).isFalse();

		JsonNode detail = tenant.api().get("/v1/webhook-deliveries/" + ids.get(2)).json();
		assertThat(detail.get("id").asString()).isEqualTo(ids.get(2).toString());
		JsonNode attempts = detail.get("attempt_log");
		assertThat(attempts).hasSize(2);
		assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(500);
		assertThat(attempts.get(0).get("latency_ms").asInt()).isEqualTo(120);
		assertThat(attempts.get(0).get("response_excerpt").asString()).isEqualTo("oops");
		assertThat(Instant.parse(attempts.get(0).get("attempted_at").asString())).isEqualTo(base.plusSeconds(2));
		assertThat(attempts.get(1).has("status_code")).isFalse();
		assertThat(attempts.get(1).get("error").asString()).isEqualTo("connect timed out");
		assertProblem(tenant.api().get("/v1/webhook-deliveries/" + UUID.randomUUID()), 404, "not-found", null);
	}

	@Test
	void acceptsTheReplayOfAFinishedDeliveryAndAsksTheDispatcherForItButNotOfAPendingOne() {
		Tenant tenant = newTenant();
		UUID endpoint = UUID.fromString(register(tenant, PUBLIC_URL));
		UUID failed = insertDelivery(tenant, UUID.randomUUID(), endpoint, "FAILED", Instant.now());
		UUID succeeded = insertDelivery(tenant, UUID.randomUUID(), endpoint, "SUCCEEDED", Instant.now());
		UUID callback = insertDelivery(tenant, UUID.randomUUID(), null, "FAILED", Instant.now());
		UUID pending = insertDelivery(tenant, UUID.randomUUID(), endpoint, "PENDING", Instant.now());

		ApiClient.Response accepted = tenant.api().post("/v1/webhook-deliveries/" + failed + "/replay", "");
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		assertThat(accepted.headers().firstValue("Location"))
			.hasValue(tenant.api().url("/v1/webhook-deliveries/" + failed));
		assertThat(accepted.json().get("delivery_id").asString()).isEqualTo(failed.toString());
		WebhookReplayRequested replay = TopicRecords.first(TOPICS.webhookCommands(), failed.toString(),
				WebhookReplayRequested.TYPE, WebhookReplayRequested.class);
		assertThat(replay.id().toString()).isEqualTo(accepted.json().get("replay_id").asString());
		assertThat(replay.tenantId()).isEqualTo(tenant.id());
		assertThat(replay.deliveryId()).isEqualTo(failed);
		assertThat(replay.endpointId()).isNull();
		assertThat(replay.requestedAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
		// the delivery is the dispatcher's to put back in its queue
		assertThat(statusOf(failed)).isEqualTo("FAILED");

		assertThat(tenant.api().post("/v1/webhook-deliveries/" + succeeded + "/replay", "").status()).isEqualTo(202);
		assertThat(TopicRecords
			.first(TOPICS.webhookCommands(), succeeded.toString(), WebhookReplayRequested.TYPE,
					WebhookReplayRequested.class)
			.deliveryId()).isEqualTo(succeeded);
		assertThat(tenant.api().post("/v1/webhook-deliveries/" + callback + "/replay", "").status()).isEqualTo(202);

		assertProblem(tenant.api().post("/v1/webhook-deliveries/" + pending + "/replay", ""), 409, "delivery-pending",
				"still pending");
		assertProblem(tenant.api().post("/v1/webhook-deliveries/" + UUID.randomUUID() + "/replay", ""), 404,
				"not-found", null);

		UUID another = insertDelivery(tenant, UUID.randomUUID(), endpoint, "FAILED", Instant.now());
		tenant.api().patch("/v1/webhook-endpoints/" + endpoint, "{\"enabled\":false}");
		assertProblem(tenant.api().post("/v1/webhook-deliveries/" + another + "/replay", ""), 409, "endpoint-disabled",
				"disabled");
		// one topic partition: every replay asked for before the marker is read before it
		UUID marker = insertDelivery(tenant, UUID.randomUUID(), null, "FAILED", Instant.now());
		assertThat(tenant.api().post("/v1/webhook-deliveries/" + marker + "/replay", "").status()).isEqualTo(202);
		assertThat(TopicRecords.readUntil(TOPICS.webhookCommands(), marker.toString(), WebhookReplayRequested.TYPE))
			.extracting(ConsumerRecord::key)
			.doesNotContain(pending.toString(), another.toString());
	}

	@Test
	void acceptsTheReplayOfAnEndpointsFailedDeliveriesSinceAnInstant() {
		Tenant tenant = newTenant();
		UUID endpoint = UUID.fromString(register(tenant, PUBLIC_URL));
		UUID otherEndpoint = UUID.fromString(register(tenant, "https://8.8.4.4/other"));
		UUID quietEndpoint = UUID.fromString(register(tenant, "https://8.8.4.4/quiet"));
		Instant since = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
		insertDelivery(tenant, UUID.randomUUID(), endpoint, "FAILED", since.minusSeconds(1));
		UUID atSince = insertDelivery(tenant, UUID.randomUUID(), endpoint, "FAILED", since);
		insertDelivery(tenant, UUID.randomUUID(), endpoint, "FAILED", since.plusSeconds(60));
		insertDelivery(tenant, UUID.randomUUID(), endpoint, "SUCCEEDED", since.plusSeconds(60));
		insertDelivery(tenant, UUID.randomUUID(), otherEndpoint, "FAILED", since.plusSeconds(60));

		ApiClient.Response accepted = tenant.api()
			.post("/v1/webhook-endpoints/" + endpoint + "/replay?since=" + since, "");
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		assertThat(accepted.json().get("replayed").asInt()).isEqualTo(2);
		assertThat(accepted.json().get("endpoint_id").asString()).isEqualTo(endpoint.toString());
		WebhookReplayRequested replay = TopicRecords.first(TOPICS.webhookCommands(), endpoint.toString(),
				WebhookReplayRequested.TYPE, WebhookReplayRequested.class);
		assertThat(replay.id().toString()).isEqualTo(accepted.json().get("replay_id").asString());
		assertThat(replay.tenantId()).isEqualTo(tenant.id());
		assertThat(replay.endpointId()).isEqualTo(endpoint);
		assertThat(replay.since()).isEqualTo(since);
		assertThat(replay.deliveryId()).isNull();
		assertThat(statusOf(atSince)).isEqualTo("FAILED");

		JsonNode nothing = tenant.api()
			.post("/v1/webhook-endpoints/" + quietEndpoint + "/replay?since=" + since, "")
			.json();
		assertThat(nothing.get("replayed").asInt()).isZero();
		assertThat(nothing.has("replay_id")).isFalse();

		assertProblem(tenant.api().post("/v1/webhook-endpoints/" + endpoint + "/replay", ""), 400, "bad-request",
				"'since' is required");
		assertProblem(tenant.api().post("/v1/webhook-endpoints/" + endpoint + "/replay?since=yesterday", ""), 400,
				"bad-request", "ISO-8601");
		assertProblem(tenant.api().post("/v1/webhook-endpoints/" + UUID.randomUUID() + "/replay?since=" + since, ""),
				404, "not-found", null);
		tenant.api().patch("/v1/webhook-endpoints/" + otherEndpoint, "{\"enabled\":false}");
		assertProblem(tenant.api().post("/v1/webhook-endpoints/" + otherEndpoint + "/replay?since=" + since, ""), 409,
				"endpoint-disabled", "disabled");
	}

	@Test
	void servesTheWebhookEndpointsInTheOpenApiDocument() {
		assertThat(this.admin.withToken(null).get("/v3/api-docs").body()).contains("/v1/webhook-endpoints",
				"/v1/webhook-endpoints/{id}/secret/rotate", "/v1/callback-secret",
				"/v1/webhook-deliveries/{id}/replay");
	}

	private record Tenant(UUID id, ApiClient api) {
	}

	private Tenant newTenant() {
		JsonNode tenant = this.admin.post("/v1/admin/tenants", "{}").json();
		return new Tenant(UUID.fromString(tenant.get("tenant_id").asString()),
				this.admin.withToken(tenant.get("api_key").asString()));
	}

	private static String register(Tenant tenant, String url) {
		ApiClient.Response created = tenant.api().post("/v1/webhook-endpoints", "{\"url\":\"" + url + "\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.json().get("id").asString();
	}

	/**
	 * A delivery as the dispatcher writes it: pending ones are due now, finished ones
	 * have used their eight attempts.
	 */
	private UUID insertDelivery(Tenant tenant, UUID jobId, UUID endpointId, String status, Instant createdAt) {
		UUID id = UUID.randomUUID();
		boolean pending = status.equals("PENDING");
		boolean failed = status.equals("FAILED");
		String url = (endpointId != null)
				? this.jdbc.queryForObject("select url from webhook_endpoints where id = ?", String.class, endpointId)
				: PUBLIC_URL;
		this.jdbc.update("""
				insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload,
				    status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at,
				    created_at, destination)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				""", id, UUID.randomUUID(), failed ? "job.failed" : "job.succeeded", tenant.id(), jobId, endpointId,
				url, "{}".getBytes(), status, pending ? 0 : 8, pending ? Timestamp.from(createdAt) : null,
				pending ? null : Timestamp.from(createdAt), pending ? null : (failed ? 500 : 200),
				failed ? "HTTP 500" : null, status.equals("SUCCEEDED") ? Timestamp.from(createdAt) : null,
				Timestamp.from(createdAt), (endpointId != null) ? "endpoint:" + endpointId : "callback");
		return id;
	}

	private void insertAttempt(UUID deliveryId, Instant at, Integer statusCode, String error, String excerpt) {
		this.jdbc.update(
				"""
						insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt)
						values (?, ?, ?, 120, ?, ?)""",
				deliveryId, Timestamp.from(at), statusCode, error, excerpt);
	}

	/** What the dispatcher sends when the endpoint's receiver answered 410 Gone. */
	private WebhookEndpointDisabled reportGone(Tenant tenant, UUID endpointId, long version) {
		WebhookEndpointDisabled report = new WebhookEndpointDisabled(endpointId, tenant.id(), version,
				UUID.randomUUID(), "the receiver answered 410 Gone", Instant.now());
		send(report);
		return report;
	}

	private void send(WebhookEndpointDisabled report) {
		this.producer
			.send(new ProducerRecord<>(TOPICS.webhookEvents(), report.endpointId().toString(), CloudEventRecords
				.event(WebhookEndpointDisabled.TYPE, "webhook-dispatcher", report.endpointId().toString(), report)));
		this.producer.flush();
	}

	/**
	 * Waits until the reports sent so far are applied: a report about another endpoint,
	 * sent last on the one partition, has disabled it.
	 */
	private void awaitReportsApplied(Tenant tenant) {
		String marker = register(tenant, PUBLIC_URL);
		reportGone(tenant, UUID.fromString(marker), version(marker));
		await().atMost(Duration.ofSeconds(20)).until(() -> !enabled(marker));
	}

	private long version(String endpointId) {
		return this.jdbc.queryForObject("select version from webhook_endpoints where id = ?", Long.class,
				UUID.fromString(endpointId));
	}

	private boolean enabled(String endpointId) {
		return this.jdbc.queryForObject("select enabled from webhook_endpoints where id = ?", Boolean.class,
				UUID.fromString(endpointId));
	}

	private String statusOf(UUID deliveryId) {
		return this.jdbc.queryForObject("select status from webhook_deliveries where id = ?", String.class, deliveryId);
	}

	private static List<UUID> ids(ApiClient.Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		List<UUID> ids = new ArrayList<>();
		response.json().get("data").forEach((d) -> ids.add(UUID.fromString(d.get("id").asString())));
		return ids;
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach((value) -> values.add(value.asString()));
		return values;
	}

}
