package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.WebhookKeyPair;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.dispatcher.DispatcherApplication;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.StandardWebhooksV1a;
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
 * The dispatcher signs the messages of an endpoint that chose Standard Webhooks
 * {@code v1a} with its Ed25519 private key, against a real PostgreSQL, a real Kafka and a
 * real receiver on loopback; each message is checked as the receiver would, with the
 * JDK's Ed25519 and the {@code whpk_} public key the tenant reads from the API (the row's
 * {@code public_key}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsymmetricSignatureIntegrationTests {

	private static final Topics TOPICS = new Topics("dispatcher-v1a-it");

	private TestPostgres.Database database;

	private ConfigurableApplicationContext dispatcher;

	private JdbcTemplate jdbc;

	private KafkaProducer<String, CloudEvent> producer;

	private TestReceiver receiver;

	@BeforeAll
	void start() {
		this.database = TestPostgres.newDatabase();
		this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
		this.dispatcher = new SpringApplicationBuilder(DispatcherApplication.class).run(
				"--spring.datasource.url=" + this.database.url(),
				"--spring.datasource.username=" + this.database.username(),
				"--spring.datasource.password=" + this.database.password(), "--spring.flyway.enabled=true",
				"--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
				"--batchline.topics.prefix=" + TOPICS.prefix(), "--server.port=0",
				"--batchline.webhooks.retry-schedule=1s,2s", "--batchline.webhooks.timeout=2s",
				"--batchline.webhooks.poll-interval=100ms", "--batchline.webhooks.allow-private-networks=true");
		this.jdbc = this.dispatcher.getBean(JdbcTemplate.class);
	}

	@AfterAll
	void stop() {
		this.dispatcher.close();
		this.producer.close();
	}

	@AfterEach
	void closeReceiver() {
		if (this.receiver != null) {
			this.receiver.close();
		}
	}

	@Test
	void signsAV1aEndpointsMessagesWithItsKeyAndThePreviousKeyWhileItsOverlapLasts() {
		this.receiver = TestReceiver.start((n) -> TestReceiver.Answer.status(204));
		UUID tenant = tenant();
		WebhookKeyPair first = WebhookKeyPair.generate();
		UUID endpoint = UUID.randomUUID();
		this.jdbc.update(
				"""
						insert into webhook_endpoints (id, tenant_id, url, event_types, signature_scheme, signing_key, public_key,
						    created_at, updated_at)
						values (?, ?, ?, ?, 'v1a', ?, ?, now(), now())""",
				endpoint, tenant, this.receiver.url(), new String[] { JobEvent.SUCCEEDED }, first.secretKey().value(),
				first.publicKey().value());

		TestReceiver.Received one = deliver(tenant);
		assertThat(one.signature()).startsWith("v1a,").doesNotContain(" ");
		assertThat(StandardWebhooksV1a.verifies(tenantsPublicKey(endpoint), one.id(), one.timestamp(), one.signature(),
				one.body()))
			.isTrue();

		// a rotation as the api-service makes it: both keys sign until the overlap ends
		WebhookKeyPair second = WebhookKeyPair.generate();
		this.jdbc.update("""
				update webhook_endpoints set previous_signing_key = signing_key, previous_public_key = public_key,
				    previous_key_expires_at = now() + interval '1 hour', signing_key = ?, public_key = ?,
				    version = version + 1
				where id = ?""", second.secretKey().value(), second.publicKey().value(), endpoint);
		TestReceiver.Received two = deliver(tenant);
		String[] signatures = two.signature().split(" ");
		assertThat(signatures).hasSize(2).allMatch((signature) -> signature.startsWith("v1a,"));
		assertThat(StandardWebhooksV1a.verifies(tenantsPublicKey(endpoint), two.id(), two.timestamp(), signatures[0],
				two.body()))
			.isTrue();
		assertThat(StandardWebhooksV1a.verifies(first.publicKey().value(), two.id(), two.timestamp(), signatures[1],
				two.body()))
			.isTrue();
		assertThat(StandardWebhooksV1a.verifies(first.publicKey().value(), two.id(), two.timestamp(), signatures[0],
				two.body()))
			.isFalse();

		this.jdbc.update(
				"update webhook_endpoints set previous_key_expires_at = now() - interval '1 second'" + " where id = ?",
				endpoint);
		TestReceiver.Received three = deliver(tenant);
		assertThat(three.signature()).doesNotContain(" ");
		assertThat(StandardWebhooksV1a.verifies(second.publicKey().value(), three.id(), three.timestamp(),
				three.signature(), three.body()))
			.isTrue();
		assertThat(StandardWebhooksV1a.verifies(first.publicKey().value(), three.id(), three.timestamp(),
				three.signature(), three.body()))
			.isFalse();
	}

	/** Publishes a {@code job.succeeded} event and waits for the receiver to get it. */
	private TestReceiver.Received deliver(UUID tenant) {
		JobEvent event = Fixtures.aJobEvent(tenant).type(JobEvent.SUCCEEDED).build();
		this.producer.send(new ProducerRecord<>(TOPICS.jobEvents(), event.jobId().toString(),
				CloudEventRecords.event(event.id().toString(), JobEvent.cloudEventType(event.type()), "api-service",
						event.jobId().toString(), event.occurredAt(), event)));
		this.producer.flush();
		String id = "msg_" + event.id();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.receiver.received().stream().anyMatch((received) -> id.equals(received.id())));
		List<TestReceiver.Received> got = this.receiver.received()
			.stream()
			.filter((received) -> id.equals(received.id()))
			.toList();
		assertThat(got).hasSize(1);
		return got.get(0);
	}

	/**
	 * What {@code GET /v1/webhook-endpoints/{id}/public-key} shows as {@code public_key}.
	 */
	private String tenantsPublicKey(UUID endpoint) {
		return this.jdbc.queryForObject("select public_key from webhook_endpoints where id = ?", String.class,
				endpoint);
	}

	private UUID tenant() {
		UUID tenant = UUID.randomUUID();
		this.jdbc.update("insert into tenants (id, name, webhook_secret) values (?, 'test', ?)", tenant,
				WebhookSecret.generate().value());
		return tenant;
	}

}
