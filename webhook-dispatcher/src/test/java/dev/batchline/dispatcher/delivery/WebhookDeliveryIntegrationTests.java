package dev.batchline.dispatcher.delivery;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import dev.batchline.dispatcher.DispatcherApplication;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher against a real PostgreSQL, a real Kafka broker and real HTTP receivers
 * on loopback. Job events are produced to Kafka as the api-service's outbox relay does;
 * tenants, jobs and endpoints are rows, as the api-service writes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryIntegrationTests {

	private static final Topics TOPICS = new Topics("dispatcher-it");

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
		WebhookSecret secret = endpoint(tenant, receiver.url(), "job.succeeded");
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
	void aJobsOwnCallbackUrlIsSignedWithTheTenantsSecret() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		JobEvent event = event(tenant, JobEvent.PARTIALLY_SUCCEEDED);
		this.jdbc.update("insert into jobs (id, tenant_id, model, model_version, state, total_items, total_chunks,"
				+ " created_at, updated_at, callback_url) values (?, ?, 'iris', '1', 'PARTIALLY_SUCCEEDED', 3, 1,"
				+ " now(), now(), ?)", event.jobId(), tenant.id(), receiver.url());
		send(event);
		await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 1);
		TestReceiver.Received got = receiver.received().get(0);
		new WebhookVerifier(tenant.secret()).verify(got.id(), got.timestamp(), got.signature(), got.body());
	}

	@Test
	void aGoneReceiverDisablesItsEndpoint() {
		TestReceiver receiver = receiver((n) -> TestReceiver.Answer.status(410));
		Tenant tenant = tenant();
		endpoint(tenant, receiver.url(), "job.succeeded");
		JobEvent event = publish(tenant, JobEvent.SUCCEEDED);
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("FAILED"));
		assertThat(receiver.received()).hasSize(1);
		Map<String, Object> endpoint = this.jdbc
			.queryForMap("select enabled, disabled_reason from webhook_endpoints where tenant_id = ?", tenant.id());
		assertThat(endpoint.get("enabled")).isEqualTo(false);
		assertThat((String) endpoint.get("disabled_reason")).contains("410");
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
		// what POST /v1/webhook-deliveries/{id}/replay does
		this.jdbc.update("update webhook_deliveries set status = 'PENDING', attempts = 0, next_attempt_at = now(),"
				+ " last_error = null where event_id = ?", event.id());
		await().atMost(Duration.ofSeconds(15)).until(() -> status(event).equals("SUCCEEDED"));
		assertThat(receiver.received()).hasSize(5);
	}

	@Test
	void aSlowReceiverDoesNotDelayDeliveriesToAHealthyOne() {
		TestReceiver slow = receiver((n) -> new TestReceiver.Answer(200, 3000, null));
		TestReceiver fast = receiver((n) -> TestReceiver.Answer.status(200));
		Tenant tenant = tenant();
		endpoint(tenant, slow.url(), "job.succeeded");
		endpoint(tenant, fast.url(), "job.succeeded");
		Instant sent = Instant.now();
		for (int i = 0; i < 12; i++) {
			send(event(tenant, JobEvent.SUCCEEDED));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> fast.received().size() == 12);
		Duration fastDone = Duration.between(sent, fast.received().get(11).at());
		assertThat(fastDone).as("all 12 deliveries to the healthy receiver").isLessThan(Duration.ofSeconds(2));
		assertThat(slow.received().size()).as("the slow receiver is still being served").isLessThan(12);
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
				tenant.secret().value());
		return tenant;
	}

	private WebhookSecret endpoint(Tenant tenant, String url, String... eventTypes) {
		WebhookSecret secret = WebhookSecret.generate();
		this.jdbc.update(
				"insert into webhook_endpoints (id, tenant_id, url, event_types, secret, created_at,"
						+ " updated_at) values (?, ?, ?, ?, ?, now(), now())",
				UUID.randomUUID(), tenant.id(), url, eventTypes, secret.value());
		return secret;
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
