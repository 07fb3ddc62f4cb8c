package dev.batchline.dispatcher.delivery;

import java.net.ServerSocket;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabled;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookEventTypes;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.contracts.webhooks.WebhookReplayRequested;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import dev.batchline.dispatcher.DispatcherApplication;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import dev.batchline.testsupport.TopicRecords;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher against a real PostgreSQL, a real Kafka broker and real HTTP receivers
 * on loopback. Job events and replay requests are produced to Kafka as the api-service's
 * outbox relay does; tenants and endpoints are rows, as the api-service writes them, and
 * what the dispatcher tells the api-service is read from Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryIntegrationTests {

	private static final Topics TOPICS = new Topics("dispatcher-it");

	/**
	 * Seals secrets as the api-service stores them, with the key the dispatcher holds.
	 */
	private static final SecretBox BOX = new SecretBox(Base64.getDecoder().decode(Fixtures.SECRETS_KEY), List.of());

	private TestPostgres.Database database;

	private ConfigurableApplicationContext dispatcher;

	private JdbcTemplate jdbc;

	private KafkaProducer<String, CloudEvent> producer;

	private final List<TestReceiver> receivers = new java.util.concurrent.CopyOnWriteArrayList<>();

	@BeforeAll
	void start() {
		this.database = TestPostgres.newDatabase();
		this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
		this.dispatcher = startDispatcher();
		this.jdbc = this.dispatcher.getBean(JdbcTemplate.class);
	}

	@AfterAll
	void stop() {
		this.dispatcher.close();
		this.producer.close();
	}

	@AfterEach
	void closeReceivers() {
		this.receivers.forEach(TestReceiver::close);
		this.receivers.clear();
	}

	@Test
	void retriesWithBackoffUntilTheReceiverRecoversAndSignsEveryAttempt() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status((n <= 2) ? 500 : 200));
		Tenant tenant = tenant();
		WebhookSecret secret = endpoint(tenant, receiver.url(), "job.succeeded").secret();
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);

		await().atMost(Duration.ofSeconds(20)).until(() -> status(event).equals("SUCCEEDED"));
		List<TestReceiver.Received> got = receiver.received();
		assertThat(got).hasSize(3);
		assertThat(got).extracting(TestReceiver.Received::id).containsOnly("msg_" + event.id());
		WebhookVerifier verifier = new WebhookVerifier(secret);
		got.forEach((r) -> verifier.verify(r.id(), r.timestamp(), r.signature(), r.body()));
		long first = Duration.between(got.get(0).at(), got.get(1).at()).toMillis();
		long second = Duration.between(got.get(1).at(), got.get(2).at()).toMillis();
		assertThat(first).as("pause before the 2nd attempt (schedule 1s)").isBetween(800L, 1800L);
		assertThat(second).as("pause before the 3rd attempt (schedule 2s)").isBetween(1700L, 3000L);
		WebhookPayload payload = EventCodec.decode(got.get(2).body(), WebhookPayload.class);
		assertThat(payload.type()).isEqualTo("job.succeeded");
		assertThat(payload.data().jobId()).isEqualTo(event.jobId());
		assertThat(payload.data().links().get("results")).endsWith("/v1/jobs/" + event.jobId() + "/results");
		assertThat(this.jdbc.queryForObject("select count(*) from webhook_attempts a join webhook_deliveries d"
				+ " on d.id = a.delivery_id where d.event_id = ?", Integer.class, event.id()))
			.isEqualTo(3);
	}

	@Test
	void anEventConsumedTwiceIsDeliveredOnceAndEventsNobodySubscribedToAreNotDelivered() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(204));
		Tenant tenant = tenant();
		endpoint(tenant, receiver.url(), "job.failed");
		JobEvent failed = event(tenant, JobEvent.FAILED);
		send(failed);
		send(failed);
		send(event(tenant, JobEvent.SUCCEEDED));
		send(event(tenant, JobEvent.RUNNING));
		await().atMost(Duration.ofSeconds(15)).until(() -> status(failed).equals("SUCCEEDED"));
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(3))
			.until(() -> receiver.received().size() == 1);
		assertThat(this.jdbc.queryForObject("select count(*) from webhook_deliveries where tenant_id = ?",
				Integer.class, tenant.id()))
			.isEqualTo(1);
	}

	@Test
	void aJobsOwnCallbackUrlFromItsTerminalEventIsSignedWithTheTenantsSecret() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		// no job row: the URL travels on the event
		JobEvent event = Fixtures.aJobEvent(tenant.id())
			.type(JobEvent.PARTIALLY_SUCCEEDED)
			.callbackUrl(receiver.url())
			.build();
		send(event);
		await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 1);
		TestReceiver.Received got = receiver.received().get(0);
		new WebhookVerifier(tenant.secret()).verify(got.id(), got.timestamp(), got.signature(), got.body());
		assertThat(this.jdbc.queryForObject("select url from webhook_deliveries where event_id = ?", String.class,
				event.id()))
			.isEqualTo(receiver.url());
	}

	@Test
	void aGoneReceiverEndsItsDeliveryAndAsksTheApiServiceToDisableTheEndpoint() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(410));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, receiver.url(), "job.succeeded").id();
		this.jdbc.update("update webhook_endpoints set version = 7 where id = ?", endpoint);
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("FAILED"));
		assertThat(receiver.received()).hasSize(1);

		WebhookEndpointDisabled disabled = TopicRecords.first(TOPICS.webhookEvents(), endpoint.toString(),
				WebhookEndpointDisabled.TYPE, WebhookEndpointDisabled.class);
		assertThat(disabled.endpointId()).isEqualTo(endpoint);
		assertThat(disabled.tenantId()).isEqualTo(tenant.id());
		assertThat(disabled.endpointVersion()).isEqualTo(7);
		assertThat(disabled.deliveryId()).isEqualTo(deliveryId(event));
		assertThat(disabled.reason()).contains("410 Gone");
		assertThat(disabled.occurredAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
		// the endpoint is the api-service's to disable
		assertThat(
				this.jdbc.queryForObject("select enabled from webhook_endpoints where id = ?", Boolean.class, endpoint))
			.isTrue();
	}

	@Test
	void aReceiverStopsTheRetriesOfOneMessageWithAnAbortAnswer() {
		TestReceiver receiver = receiver(
				(n) -> TestReceiver.Answer.status(422).with("webhook-delivery", "abort-message"));
		Tenant tenant = tenant();
		endpoint(tenant, receiver.url(), "job.succeeded");
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("FAILED"));
		assertThat(attempts(event)).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("select last_error from webhook_deliveries where event_id = ?",
				String.class, event.id()))
			.contains("HTTP 422", "webhook-delivery: abort-message");
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(4))
			.until(() -> receiver.received().size() == 1);
	}

	@Test
	void anEndpointsRateLimitSpacesItsMessagesWithoutSlowingAnotherEndpoint() {
		TestReceiver limited = receiver((n) -> TestReceiver.Answer.status(200));
		TestReceiver free = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, limited.url(), "job.succeeded").id();
		this.jdbc.update("update webhook_endpoints set rate_limit = 2 where id = ?", endpoint);
		Tenant other = tenant();
		endpoint(other, free.url(), "job.succeeded");
		long start = System.nanoTime();
		for (int i = 0; i < 8; i++) {
			publish(tenant, JobEvent.SUCCEEDED);
			publish(other, JobEvent.SUCCEEDED);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> free.received().size() == 8);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		await().atMost(Duration.ofSeconds(15)).until(() -> limited.received().size() == 8);
		List<Instant> at = limited.received().stream().map(TestReceiver.Received::at).sorted().toList();
		// a bucket of 2 tokens that refills 2 a second: the first two at once, then 2 a
		// second
		assertThat(Duration.between(at.get(0), at.get(7))).isGreaterThan(Duration.ofMillis(2500));
		for (int i = 0; i + 3 < at.size(); i++) {
			assertThat(Duration.between(at.get(i), at.get(i + 3))).as("four messages within a second (arrivals %s)", at)
				.isGreaterThan(Duration.ofMillis(900));
		}
		assertThat(this.jdbc.queryForObject("select count(*) from webhook_rate_buckets where id = ?", Integer.class,
				"endpoint:" + endpoint))
			.isEqualTo(1);
	}

	@Test
	void anEndpointFailingLongerThanDisableAfterIsAskedToBeDisabledWithTheReasonAndASuccessClearsItsStreak() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(500));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, receiver.url(), "job.succeeded").id();
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		// disable-after is 3s here; attempts at 0 s, 1 s, 3 s, 7 s
		WebhookEndpointDisabled disabled = TopicRecords.first(TOPICS.webhookEvents(), endpoint.toString(),
				WebhookEndpointDisabled.TYPE, WebhookEndpointDisabled.class);
		assertThat(disabled.reason()).startsWith("no delivery has succeeded since ");
		assertThat(disabled.deliveryId()).isEqualTo(deliveryId(event));
		assertThat(this.jdbc
			.queryForObject("select failing_since is not null and disabled_at is not null from webhook_endpoint_health"
					+ " where endpoint_id = ?", Boolean.class, endpoint))
			.isTrue();

		receiver.answer((n) -> TestReceiver.Answer.status(200));
		JobEvent next = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(next).equals("SUCCEEDED"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.jdbc
				.queryForObject("select failing_since is null and disabled_at is null and last_success_at is not null"
						+ " from webhook_endpoint_health where endpoint_id = ?", Boolean.class, endpoint));
	}

	@Test
	void anEndpointDisabledNoticeIsSentToTheTenantsEndpointsThatSubscribedAsTheCatalogDescribes() {
		TestReceiver subscribed = receiver((n) -> TestReceiver.Answer.status(200));
		TestReceiver other = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		Endpoint operator = endpoint(tenant, subscribed.url(), "webhook.endpoint.disabled", "job.failed");
		endpoint(tenant, other.url(), "job.failed");
		UUID gone = UUID.randomUUID();
		WebhookEndpointDisabledNotice notice = new WebhookEndpointDisabledNotice(UUID.randomUUID(), tenant.id(), gone,
				"https://hooks.example.com/gone", DisabledEndpoints.GONE, Instant.now());
		send(notice);
		send(notice);
		await().atMost(Duration.ofSeconds(15)).until(() -> subscribed.received().size() == 1);
		TestReceiver.Received got = subscribed.received().get(0);
		new WebhookVerifier(operator.secret()).verify(got.id(), got.timestamp(), got.signature(), got.body());
		assertThat(got.id()).isEqualTo("msg_" + notice.id());
		JsonNode payload = EventCodec.tree(got.body());
		Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
			.getSchema(WebhookEventTypes.find("webhook.endpoint.disabled").orElseThrow().schema());
		assertThat(schema.validate(payload)).isEmpty();
		assertThat(payload.get("data").get("endpoint_id").asString()).isEqualTo(gone.toString());
		assertThat(payload.get("data").get("reason").asString()).isEqualTo(DisabledEndpoints.GONE);
		assertThat(payload.get("data").get("links").get("endpoint").asString())
			.isEqualTo("https://batchline.example/v1/webhook-endpoints/" + gone);
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(3))
			.until(() -> subscribed.received().size() == 1 && other.received().isEmpty());
	}

	@Test
	void aDeadReceiverEndsFailedThenAReplayDeliversOnceItIsBack() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(503));
		Tenant tenant = tenant();
		endpoint(tenant, receiver.url(), "job.succeeded");
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(30)).until(() -> status(event).equals("FAILED"));
		assertThat(receiver.received()).hasSize(4);
		assertThat(this.jdbc.queryForObject("select last_status_code from webhook_deliveries where event_id = ?",
				Integer.class, event.id()))
			.isEqualTo(503);

		receiver.answer((n) -> TestReceiver.Answer.status(200));
		WebhookReplayRequested replay = WebhookReplayRequested.ofDelivery(tenant.id(), deliveryId(event),
				Instant.now());
		send(replay);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("SUCCEEDED"));
		assertThat(receiver.received()).hasSize(5);
		assertThat(receiver.received().get(4).id()).isEqualTo("msg_" + event.id());
		assertThat(attempts(event)).as("attempts since the replay").isEqualTo(1);

		// the same replay consumed again changes nothing
		send(replay);
		awaitReplaysConsumed();
		assertThat(status(event)).isEqualTo("SUCCEEDED");
		assertThat(receiver.received()).hasSize(5);
	}

	@Test
	void aReplayGoesToTheEndpointsCurrentUrlAndLeavesAPendingDeliveryAlone() {
		TestReceiver gone = receiver((n) -> TestReceiver.Answer.status(500));
		TestReceiver fixed = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, gone.url(), "job.failed").id();
		JobEvent failed = publish(tenant, JobEvent.FAILED);
		await().atMost(Duration.ofSeconds(30)).until(() -> status(failed).equals("FAILED"));
		JobEvent pending = event(tenant, JobEvent.FAILED);
		insertDelivery(tenant, pending, endpoint, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
		moveEndpoint(endpoint, fixed.url());

		send(WebhookReplayRequested.ofDelivery(tenant.id(), deliveryId(pending), Instant.now()));
		send(WebhookReplayRequested.ofDelivery(tenant.id(), deliveryId(failed), Instant.now()));
		await().atMost(Duration.ofSeconds(15)).until(() -> status(failed).equals("SUCCEEDED"));
		assertThat(fixed.received()).extracting(TestReceiver.Received::id).containsExactly("msg_" + failed.id());
		assertThat(this.jdbc.queryForObject("select url from webhook_deliveries where event_id = ?", String.class,
				failed.id()))
			.isEqualTo(fixed.url());
		awaitReplaysConsumed();
		assertThat(status(pending)).isEqualTo("PENDING");
		assertThat(attempts(pending)).isZero();
	}

	@Test
	void replaysAnEndpointsFailedDeliveriesSinceAnInstant() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, receiver.url(), "job.failed").id();
		UUID other = endpoint(tenant, receiver.url() + "/other", "job.failed").id();
		Instant since = Instant.now().minus(Duration.ofMinutes(30));
		JobEvent before = insertFailedDelivery(tenant, endpoint, since.minusSeconds(1));
		JobEvent atSince = insertFailedDelivery(tenant, endpoint, since);
		JobEvent after = insertFailedDelivery(tenant, endpoint, since.plusSeconds(60));
		JobEvent elsewhere = insertFailedDelivery(tenant, other, since.plusSeconds(60));

		send(WebhookReplayRequested.ofFailedSince(tenant.id(), endpoint, since, Instant.now()));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> status(atSince).equals("SUCCEEDED") && status(after).equals("SUCCEEDED"));
		assertThat(status(before)).isEqualTo("FAILED");
		assertThat(status(elsewhere)).isEqualTo("FAILED");
		assertThat(receiver.received()).hasSize(2);
	}

	@Test
	void aPendingRetryFollowsItsEndpointToANewUrl() {
		TestReceiver old = receiver((n) -> TestReceiver.Answer.status(500));
		TestReceiver moved = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, old.url(), "job.succeeded").id();
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> attempts(event) >= 1);
		moveEndpoint(endpoint, moved.url());
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("SUCCEEDED"));
		assertThat(moved.received()).hasSize(1);
		assertThat(this.jdbc.queryForObject("select url from webhook_deliveries where event_id = ?", String.class,
				event.id()))
			.isEqualTo(moved.url());
	}

	@Test
	void aConnectionClosedWithoutAnAnswerIsRetriedInProcessWithinOneAttempt() {
		TestReceiver receiver = receiver(
				(n) -> (n == 1) ? TestReceiver.Answer.drop() : TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		endpoint(tenant, receiver.url(), "job.succeeded");
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("SUCCEEDED"));
		assertThat(receiver.received()).hasSize(2);
		assertThat(attempts(event)).isEqualTo(1);
		assertThat(this.jdbc.queryForList("select status_code from webhook_attempts a join webhook_deliveries d"
				+ " on d.id = a.delivery_id where d.event_id = ?", Integer.class, event.id()))
			.containsExactly(200);
	}

	@Test
	void theApiServicesTablesCannotBeWrittenThroughItsViews() {
		Tenant tenant = tenant();
		UUID endpoint = endpoint(tenant, "http://127.0.0.1:9/hooks", "job.succeeded").id();
		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> this.jdbc.update("update webhook_destinations set enabled = false where endpoint_id = ?",
					endpoint))
			.withMessageContaining("read-only");
		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> this.jdbc.update("update webhook_callback_secrets set secret = null where tenant_id = ?",
					tenant.id()))
			.withMessageContaining("read-only");
	}

	@Test
	void aSlowReceiverDoesNotDelayDeliveriesToAHealthyOneAndItsDeliveriesAreRecordedOnceTheyEnd() {
		// slow, but within the attempts' timeout (2 s)
		TestReceiver slow = receiver((n) -> new TestReceiver.Answer(200, 1500, Map.of()));
		TestReceiver fast = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		Endpoint slowEndpoint = endpoint(tenant, slow.url(), "job.succeeded");
		endpoint(tenant, fast.url(), "job.succeeded");
		Instant sent = Instant.now();
		for (int i = 0; i < 12; i++) {
			send(event(tenant, JobEvent.SUCCEEDED));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> fast.received().size() == 12);
		Duration fastDone = Duration.between(sent, fast.received().get(11).at());
		assertThat(fastDone).as("all 12 deliveries to the healthy receiver").isLessThan(Duration.ofSeconds(2));
		assertThat(slow.received().size()).as("the slow receiver is still being served").isLessThan(12);
		// their polls were written while these attempts ran: each is recorded when it
		// ends
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject(
					"select count(*) from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id"
							+ " where d.endpoint_id = ? and d.status = 'SUCCEEDED' and d.attempts = 1",
					Integer.class, slowEndpoint.id()) == 12);
		assertThat(slow.received()).hasSize(12);
	}

	@Test
	void aPendingAttemptSurvivesADispatcherRestart() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		Tenant tenant = tenant();
		endpoint(tenant, "http://127.0.0.1:" + port + "/hooks", "job.succeeded");
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> attempts(event) >= 1 && status(event).equals("PENDING"));

		this.dispatcher.close();
		TestReceiver receiver = TestReceiver.start(port, (n) -> TestReceiver.Answer.status(200));
		this.receivers.add(receiver);
		this.dispatcher = startDispatcher();
		this.jdbc = this.dispatcher.getBean(JdbcTemplate.class);

		await().atMost(Duration.ofSeconds(20)).until(() -> status(event).equals("SUCCEEDED"));
		assertThat(receiver.received()).hasSize(1);
	}

	private ConfigurableApplicationContext startDispatcher() {
		Map<String, String> properties = Map.ofEntries(Map.entry("spring.datasource.url", this.database.url()),
				Map.entry("spring.datasource.username", this.database.username()),
				Map.entry("spring.datasource.password", this.database.password()),
				Map.entry("spring.flyway.enabled", "true"),
				Map.entry("spring.kafka.bootstrap-servers", TestKafka.bootstrapServers()),
				Map.entry("batchline.topics.prefix", TOPICS.prefix()), Map.entry("server.port", "0"),
				Map.entry("batchline.webhooks.retry-schedule", "1s,2s,4s"),
				Map.entry("batchline.webhooks.timeout", "2s"), Map.entry("batchline.webhooks.poll-interval", "100ms"),
				Map.entry("batchline.webhooks.circuit-open-duration", "1s"),
				Map.entry("batchline.webhooks.disable-after", "3s"),
				Map.entry("batchline.webhooks.allow-private-networks", "true"),
				Map.entry("batchline.webhooks.public-api-url", "https://batchline.example"));
		// as command-line arguments: they win over application.yaml, as an operator's
		// settings do
		return new SpringApplicationBuilder(DispatcherApplication.class).run(properties.entrySet()
			.stream()
			.map((property) -> "--" + property.getKey() + "=" + property.getValue())
			.toArray(String[]::new));
	}

	private TestReceiver receiver(java.util.function.IntFunction<TestReceiver.Answer> answers) {
		TestReceiver receiver = TestReceiver.start(answers);
		this.receivers.add(receiver);
		return receiver;
	}

	private record Tenant(UUID id, WebhookSecret secret) {
	}

	private Tenant tenant() {
		Tenant tenant = new Tenant(UUID.randomUUID(), WebhookSecret.generate());
		this.jdbc.update("insert into tenants (id, name, webhook_secret) values (?, 'test', ?)", tenant.id(),
				BOX.seal(tenant.secret().value()));
		return tenant;
	}

	private record Endpoint(UUID id, WebhookSecret secret) {
	}

	private Endpoint endpoint(Tenant tenant, String url, String... eventTypes) {
		Endpoint endpoint = new Endpoint(UUID.randomUUID(), WebhookSecret.generate());
		this.jdbc.update(
				"insert into webhook_endpoints (id, tenant_id, url, event_types, secret, created_at,"
						+ " updated_at) values (?, ?, ?, ?, ?, now(), now())",
				endpoint.id(), tenant.id(), url, eventTypes, BOX.seal(endpoint.secret().value()));
		return endpoint;
	}

	/**
	 * A delivery of an event to an endpoint as the sender leaves it: pending (not
	 * attempted yet, due at {@code due}), or failed (its attempts used, when {@code due}
	 * is null), planned at {@code createdAt}.
	 */
	private void insertDelivery(Tenant tenant, JobEvent event, UUID endpointId, Instant createdAt, Instant due) {
		this.jdbc.update("""
				insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload,
				    status, attempts, next_attempt_at, last_error, created_at, destination)
				values (?, ?, ?, ?, ?, ?, 'http://127.0.0.1:9/before', ?, ?, ?, ?, ?, ?, ?)
				""", UUID.randomUUID(), event.id(), event.type(), tenant.id(), event.jobId(), endpointId,
				EventCodec.encode(event), (due != null) ? "PENDING" : "FAILED", (due != null) ? 0 : 4,
				(due != null) ? Timestamp.from(due) : null, (due != null) ? null : "HTTP 503",
				Timestamp.from(createdAt), "endpoint:" + endpointId);
	}

	/** A dead letter of a {@code job.failed} event, planned at {@code createdAt}. */
	private JobEvent insertFailedDelivery(Tenant tenant, UUID endpointId, Instant createdAt) {
		JobEvent event = event(tenant, JobEvent.FAILED);
		insertDelivery(tenant, event, endpointId, createdAt, null);
		return event;
	}

	/** What {@code PATCH /v1/webhook-endpoints/{id}} with a new URL does. */
	private void moveEndpoint(UUID endpointId, String url) {
		this.jdbc.update("update webhook_endpoints set url = ?, version = version + 1 where id = ?", url, endpointId);
	}

	private static JobEvent event(Tenant tenant, String type) {
		return Fixtures.aJobEvent(tenant.id()).type(type).build();
	}

	private JobEvent publish(Tenant tenant, String type) {
		JobEvent event = event(tenant, type);
		send(event);
		return event;
	}

	private void send(JobEvent event) {
		this.producer.send(new ProducerRecord<>(TOPICS.jobEvents(), event.jobId().toString(),
				CloudEventRecords.event(event.id().toString(), JobEvent.cloudEventType(event.type()), "api-service",
						event.jobId().toString(), event.occurredAt(), event)));
		this.producer.flush();
	}

	private void send(WebhookEndpointDisabledNotice notice) {
		this.producer.send(new ProducerRecord<>(TOPICS.webhookCommands(), notice.endpointId().toString(),
				CloudEventRecords.event(notice.id().toString(), WebhookEndpointDisabledNotice.TYPE, "api-service",
						notice.endpointId().toString(), notice.occurredAt(), notice)));
		this.producer.flush();
	}

	private void send(WebhookReplayRequested replay) {
		this.producer.send(new ProducerRecord<>(TOPICS.webhookCommands(), replay.key(),
				CloudEventRecords.event(replay.id().toString(), WebhookReplayRequested.TYPE, "api-service",
						replay.key(), replay.requestedAt(), replay)));
		this.producer.flush();
	}

	/** Waits until the dispatchers have consumed every replay request sent so far. */
	private void awaitReplaysConsumed() {
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
			await().atMost(Duration.ofSeconds(15)).until(() -> {
				Map<TopicPartition, OffsetAndMetadata> committed = admin
					.listConsumerGroupOffsets(ConsumerGroups.WEBHOOK_REPLAYERS)
					.partitionsToOffsetAndMetadata()
					.get();
				Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
				committed.keySet()
					.stream()
					.filter((partition) -> partition.topic().equals(TOPICS.webhookCommands()))
					.forEach((partition) -> partitions.put(partition, OffsetSpec.latest()));
				if (partitions.isEmpty()) {
					return false;
				}
				Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(partitions)
					.all()
					.get();
				return ends.entrySet()
					.stream()
					.allMatch((end) -> committed.get(end.getKey()) != null
							&& committed.get(end.getKey()).offset() >= end.getValue().offset());
			});
		}
	}

	private UUID deliveryId(JobEvent event) {
		return this.jdbc.queryForObject("select id from webhook_deliveries where event_id = ?", UUID.class, event.id());
	}

	private String status(JobEvent event) {
		List<String> status = this.jdbc.queryForList("select status from webhook_deliveries where event_id = ?",
				String.class, event.id());
		return status.isEmpty() ? "NONE" : status.get(0);
	}

	private int attempts(JobEvent event) {
		List<Integer> attempts = this.jdbc.queryForList("select attempts from webhook_deliveries where event_id = ?",
				Integer.class, event.id());
		return attempts.isEmpty() ? 0 : attempts.get(0);
	}

}
