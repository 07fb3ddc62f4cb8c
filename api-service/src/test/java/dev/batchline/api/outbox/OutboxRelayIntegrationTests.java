package dev.batchline.api.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelCatalogProperties;
import dev.batchline.api.model.ModelRoutingProperties;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.contracts.Topics;
import dev.batchline.support.tracing.JobTracing;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox relay against the real test PostgreSQL and Kafka: a round reads rows through
 * a cursor until their stored bytes reach {@code outbox-round-bytes}, so that a round of
 * large chunks never holds them all at once; the rows after wait for the next round, and
 * everything is published in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxRelayIntegrationTests {

	private static final long ROUND_BYTES = 10_000;

	private final Topics topics = new Topics("outbox-it-" + UUID.randomUUID());

	private JdbcTemplate jdbc;

	private KafkaTemplate<String, CloudEvent> kafka;

	private OutboxRelay relay;

	@BeforeAll
	void relayOnAFreshDatabase() {
		TestPostgres.Database database = TestPostgres.newDatabase();
		DataSource dataSource = new DriverManagerDataSource(database.url(), database.username(), database.password());
		Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
		this.jdbc = new JdbcTemplate(dataSource);
		this.kafka = new KafkaTemplate<>(
				new DefaultKafkaProducerFactory<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(),
						"key.serializer", StringSerializer.class, "value.serializer", CloudEventSerializer.class)));
		ApiProperties properties = new ApiProperties(null, 1_000_000, 64L << 20, 16_384, 500, 262_144, 500,
				Duration.ofMillis(200), 1000, 1_000_000, 1L << 30, ApiProperties.ChunkEncoding.JSON, ROUND_BYTES, 0);
		ModelCatalog models = new ModelCatalog(new ModelRoutingProperties(Map.of()),
				new ModelCatalogProperties(Duration.ofSeconds(30)), Clock.systemUTC());
		// its loop is not started: the test runs the rounds
		this.relay = new OutboxRelay(this.jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
				this.kafka, this.topics, properties, models, new SimpleMeterRegistry(), JobTracing.off());
	}

	@AfterAll
	void closeProducer() {
		this.kafka.destroy();
	}

	@Test
	void aRoundStopsTakingRowsOnceTheirBytesReachTheBudgetAndTheRestFollowInOrder() {
		// one row over the budget on its own, then nine of 3,000 bytes: four fit a round
		List<String> ids = new ArrayList<>();
		ids.add(insert(12_000));
		for (int i = 0; i < 9; i++) {
			ids.add(insert(3_000));
		}

		assertThat(this.relay.relayOnce()).as("a row over the budget goes alone, and the round is full").isTrue();
		assertThat(waiting()).isEqualTo(9);
		assertThat(this.relay.relayOnce()).isTrue();
		assertThat(waiting()).isEqualTo(5);
		assertThat(this.relay.relayOnce()).isTrue();
		assertThat(waiting()).isEqualTo(1);
		assertThat(this.relay.relayOnce()).as("the last row is under the budget: nothing more waits").isFalse();
		assertThat(waiting()).isZero();
		assertThat(this.relay.relayOnce()).isFalse();

		assertThat(published(ids.size())).containsExactlyElementsOf(ids);
	}

	/** An outbox row of a job event whose payload is {@code bytes} long. */
	private String insert(int bytes) {
		String eventId = UUID.randomUUID().toString();
		String json = "{\"pad\":\"" + "x".repeat(bytes - 10) + "\"}";
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, payload)
				values (?, 'one-job', ?, 'dev.batchline.job.progress', ?)
				""", Outbox.JOB_EVENTS, eventId, json.getBytes(StandardCharsets.UTF_8));
		return eventId;
	}

	private long waiting() {
		Long count = this.jdbc.queryForObject("select count(*) from outbox", Long.class);
		return (count != null) ? count : 0;
	}

	/** The ids of the first {@code count} events on the job-events topic, in order. */
	private List<String> published(int count) {
		List<String> ids = new ArrayList<>();
		try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id", "outbox-it-" + UUID.randomUUID(),
						"auto.offset.reset", "earliest", "key.deserializer", StringDeserializer.class,
						"value.deserializer", CloudEventDeserializer.class))) {
			consumer.subscribe(List.of(this.topics.jobEvents()));
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (ids.size() < count && System.nanoTime() < deadline) {
				for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
					ids.add(record.value().getId());
				}
			}
		}
		return ids;
	}

}
