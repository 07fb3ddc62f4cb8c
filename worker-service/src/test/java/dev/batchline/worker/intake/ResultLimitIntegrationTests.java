package dev.batchline.worker.intake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestInfrastructure;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Results too large for a Kafka record: the worker's producer may send 8 KB
 * ({@code max.request.size}), and the broker takes 4 KB on the results topic
 * ({@code max.message.bytes}). A chunk whose results pass either limit goes to the dead
 * letter topic with {@code result_too_large}, after at most one aborted transaction, and
 * the chunks after it are answered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "batchline.topics.partitions=1", "spring.kafka.producer.properties[max.request.size]=8192",
				"batchline.worker.warmup=0s" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultLimitIntegrationTests {

	private static final Topics TOPICS = new Topics("limit-it-" + UUID.randomUUID());

	private static final int TOPIC_MAX_MESSAGE_BYTES = 4096;

	@Autowired
	ResultLimit limit;

	@Autowired
	MeterRegistry meters;

	private KafkaProducer<String, CloudEvent> producer;

	private KafkaConsumer<String, CloudEvent> results;

	private KafkaConsumer<String, byte[]> deadLetters;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) throws InterruptedException, ExecutionException {
		TestInfrastructure.kafka(registry);
		registry.add("batchline.topics.prefix", TOPICS::prefix);
		// the results topic exists before the worker starts, with a limit of its own
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
			admin.createTopics(List.of(new NewTopic(TOPICS.results(), 1, (short) 1)
				.configs(Map.of("max.message.bytes", String.valueOf(TOPIC_MAX_MESSAGE_BYTES))))).all().get();
		}
	}

	@BeforeAll
	void clients() {
		this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
		this.results = consumer(TOPICS.results(), CloudEventDeserializer.class);
		this.deadLetters = consumer(TOPICS.chunksDeadLetter(), ByteArrayDeserializer.class);
	}

	@AfterAll
	void close() {
		this.producer.close();
		this.results.close();
		this.deadLetters.close();
	}

	@Test
	void aChunkWhoseResultsPassEitherLimitIsDeadLetteredAndTheNextChunkIsAnswered() {
		UUID job = UUID.randomUUID();
		int initial = this.limit.bytes();
		assertThat(initial).isEqualTo(8192 - ResultLimit.HEADROOM);

		// ~11 KB of results: more than the producer may send, dead-lettered at once
		String overProducerLimit = send(chunk(job, 0, 0, 120));
		assertDeadLettered(overProducerLimit);
		assertThat(this.limit.bytes()).isEqualTo(initial);

		// ~5 KB: the producer sends it, the broker refuses it; the transaction aborts,
		// and the chunk that comes again is dead-lettered
		String overTopicLimit = send(chunk(job, 1, 120, 50));
		assertDeadLettered(overTopicLimit);
		assertThat(this.limit.bytes()).isLessThan(initial);

		// a small chunk after them is answered
		send(chunk(job, 2, 170, 3));
		ChunkCompleted answered = nextResult(job);
		assertThat(answered.chunk()).isEqualTo(2);
		assertThat(answered.items().size()).isEqualTo(3);
		assertThat(answered.items().failed()).isZero();
		assertThat(this.meters.counter("batchline.worker.dead_letters", "reason", DeadLetterReasons.RESULT_TOO_LARGE)
			.count()).isEqualTo(2);
	}

	private String send(ChunkSubmitted chunk) {
		String key = new ChunkKey(chunk.jobId(), chunk.chunk()).toString();
		this.producer.send(new ProducerRecord<>(TOPICS.chunks(), key,
				CloudEventRecords.event(ChunkSubmitted.TYPE, "api-service", chunk.jobId().toString(), chunk)));
		this.producer.flush();
		return key;
	}

	private void assertDeadLettered(String key) {
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			for (ConsumerRecord<String, byte[]> record : this.deadLetters.poll(Duration.ofMillis(200))) {
				if (key.equals(record.key())) {
					assertThat(new String(record.headers().lastHeader(RecordHeaders.REASON).value()))
						.isEqualTo(DeadLetterReasons.RESULT_TOO_LARGE);
					assertThat(new String(record.headers().lastHeader(RecordHeaders.ERROR).value()))
						.contains("bytes of JSON, more than the")
						.contains("max.request.size");
					return true;
				}
			}
			return false;
		});
	}

	private ChunkCompleted nextResult(UUID job) {
		List<ChunkCompleted> found = new ArrayList<>();
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			for (ConsumerRecord<String, CloudEvent> record : this.results.poll(Duration.ofMillis(200))) {
				if (job.toString().equals(record.key())) {
					found.add(CloudEventRecords.data(record.value(), ChunkCompleted.class));
				}
			}
			return !found.isEmpty();
		});
		// nothing of the dead-lettered chunks was committed
		assertThat(found).hasSize(1);
		return found.get(0);
	}

	private static ChunkSubmitted chunk(UUID job, int chunk, long firstIndex, int items) {
		List<JsonNode> instances = new ArrayList<>(
				Collections.nCopies(items, EventCodec.tree(Fixtures.IRIS_ROWS.get(0).getBytes())));
		return new ChunkSubmitted(job, chunk, firstIndex, "iris", "1", instances);
	}

	private static <V> KafkaConsumer<String, V> consumer(String topic, Class<?> deserializer) {
		KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id", "test-" + UUID.randomUUID(),
						"auto.offset.reset", "earliest", "isolation.level", "read_committed", "key.deserializer",
						StringDeserializer.class, "value.deserializer", deserializer));
		consumer.subscribe(List.of(topic));
		return consumer;
	}

}
