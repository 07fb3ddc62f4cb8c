package dev.batchline.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestInfrastructure;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The worker against a real Kafka broker and real DJL inference: chunks in, one
 * transactional result per chunk out, the model announced, an undecodable record
 * dead-lettered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "batchline.topics.partitions=3", "batchline.worker.max-batch-size=64" })
class WorkerIntegrationTests {

	@Autowired
	private MeterRegistry meters;

	// topics of their own, so that nothing another test class left on the broker is read
	private static final Topics TOPICS = new Topics("worker-it-" + UUID.randomUUID());

	/** Iris rows of each kind; the model gives them classes 0, 1 and 2. */
	private static final String SETOSA = Fixtures.IRIS_ROWS.get(0);

	private static final String VERSICOLOR = Fixtures.IRIS_ROWS.get(1);

	private static final String VIRGINICA = Fixtures.IRIS_ROWS.get(2);

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		TestInfrastructure.kafka(registry);
		registry.add("batchline.topics.prefix", TOPICS::prefix);
	}

	@Test
	void answersEveryChunkWithOneTransactionalResultAndBadItemsAsItemErrors() {
		UUID job = UUID.randomUUID();
		List<ChunkSubmitted> chunks = List.of(chunk(job, 0, 0, SETOSA, VIRGINICA),
				chunk(job, 1, 2, VERSICOLOR, "[1,2,3]", "{\"features\":" + VIRGINICA + "}"), chunk(job, 2, 5, SETOSA),
				new ChunkSubmitted(job, 3, 6, "iris", "99", List.of(EventCodec.tree(SETOSA.getBytes()))));
		try (KafkaProducer<String, CloudEvent> producer = producer();
				KafkaConsumer<String, CloudEvent> results = consumer(TOPICS.results())) {
			for (ChunkSubmitted chunk : chunks) {
				producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, chunk.chunk()).toString(),
						CloudEventRecords.event(ChunkSubmitted.TYPE, "api-service", job.toString(), chunk)));
			}
			producer.flush();
			List<ChunkCompleted> completed = poll(results, ChunkCompleted.class, job, 4);
			completed.sort(java.util.Comparator.comparingInt(ChunkCompleted::chunk));
			assertThat(completed).extracting(ChunkCompleted::chunk).containsExactly(0, 1, 2, 3);
			assertThat(completed.get(0).items().toList()).extracting((item) -> item.output().get("class_id").asLong())
				.containsExactly(0L, 2L);
			assertThat(completed.get(1).items().toList()).extracting((item) -> item.index())
				.containsExactly(2L, 3L, 4L);
			assertThat(completed.get(1).items().toList().get(0).output().get("class_id").asLong()).isEqualTo(1);
			assertThat(completed.get(1).items().toList().get(1).error().code()).isEqualTo(ItemError.BAD_SHAPE);
			assertThat(completed.get(1).items().toList().get(2).output().get("probabilities")).hasSize(3);
			assertThat(completed.get(2).items().toList().get(0).index()).isEqualTo(5);
			assertThat(completed.get(3).items().toList().get(0).error().code()).isEqualTo(ItemError.MODEL_UNAVAILABLE);
			assertThat(completed.get(0).worker()).isNotBlank();
		}
	}

	@Test
	void runsTheModelOncePerDistinctRowOfChunksThatAskForTheCache() {
		UUID job = UUID.randomUUID();
		String[] rows = { SETOSA, VERSICOLOR, VIRGINICA };
		String[] items = new String[30];
		for (int i = 0; i < items.length; i++) {
			items[i] = rows[i % 3];
		}
		double predictedBefore = predictedRows();
		try (KafkaProducer<String, CloudEvent> producer = producer();
				KafkaConsumer<String, CloudEvent> results = consumer(TOPICS.results())) {
			for (int c = 0; c < 3; c++) {
				ChunkSubmitted chunk = chunk(job, c, 30L * c, items);
				ChunkSubmitted cached = new ChunkSubmitted(job, c, chunk.firstIndex(), "iris", "1", chunk.instances(),
						true);
				producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, c).toString(),
						CloudEventRecords.event(ChunkSubmitted.TYPE, "api-service", job.toString(), cached)));
			}
			byte[] tensor = ChunkTensors.encode(new ChunkSubmitted(job, 3, 90, "iris", "1", List.of(), true),
					DenseInstances.readArray(("[" + String.join(",", items) + "]").getBytes(), 16),
					Fixtures.IRIS_INPUT);
			producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, 3).toString(),
					CloudEventRecords.eventWithData(job + ":3", ChunkSubmitted.TYPE, "api-service", job.toString(),
							Instant.now(), ChunkTensors.CONTENT_TYPE, tensor)));
			// a chunk of the same rows that did not ask: every row is predicted
			producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, 4).toString(), CloudEventRecords
				.event(ChunkSubmitted.TYPE, "api-service", job.toString(), chunk(job, 4, 120, items))));
			producer.flush();
			List<ChunkCompleted> completed = poll(results, ChunkCompleted.class, job, 5);
			completed.sort(java.util.Comparator.comparingInt(ChunkCompleted::chunk));
			assertThat(completed).extracting(ChunkCompleted::chunk).containsExactly(0, 1, 2, 3, 4);
			for (ChunkCompleted chunk : completed) {
				List<ItemResult> results30 = chunk.items().toList();
				assertThat(results30).hasSize(30);
				for (int i = 0; i < 30; i++) {
					assertThat(results30.get(i).index()).isEqualTo(30L * chunk.chunk() + i);
					assertThat(results30.get(i).output().get("class_id").asLong()).isEqualTo(i % 3);
				}
			}
		}
		assertThat(predictedRows() - predictedBefore).isEqualTo(3 + 30);
		double answered = this.meters.find("batchline.worker.cache.answered")
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
		assertThat(answered).isEqualTo(4 * 30 - 3);
	}

	private double predictedRows() {
		return this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().totalAmount();
	}

	@Test
	void answersTensorChunksAsTheSameItemsInJsonAndReadsAMisfitTensorItemByItem() {
		UUID job = UUID.randomUUID();
		String[] rows = { SETOSA, VIRGINICA, VERSICOLOR };
		ChunkSubmitted json = chunk(job, 0, 0, rows);
		byte[] tensor = ChunkTensors.encode(new ChunkSubmitted(job, 1, 3, "iris", "1", List.of()),
				DenseInstances.readArray(("[" + String.join(",", rows) + "]").getBytes(), 16), Fixtures.IRIS_INPUT);
		// three numbers an item: not the model's input, so each item is refused by name
		ModelSignature threes = Fixtures.signature("features", "float32", -1, 3);
		byte[] misfit = ChunkTensors.encode(new ChunkSubmitted(job, 2, 6, "iris", "1", List.of()),
				DenseInstances.readArray("[[1,2,3],[4,5,6]]".getBytes(), 16), threes);
		try (KafkaProducer<String, CloudEvent> producer = producer();
				KafkaConsumer<String, CloudEvent> results = consumer(TOPICS.results())) {
			producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, 0).toString(),
					CloudEventRecords.event(ChunkSubmitted.TYPE, "api-service", job.toString(), json)));
			producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, 1).toString(),
					CloudEventRecords.eventWithData(job + ":1", ChunkSubmitted.TYPE, "api-service", job.toString(),
							Instant.now(), ChunkTensors.CONTENT_TYPE, tensor)));
			producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, 2).toString(),
					CloudEventRecords.eventWithData(job + ":2", ChunkSubmitted.TYPE, "api-service", job.toString(),
							Instant.now(), ChunkTensors.CONTENT_TYPE, misfit)));
			producer.flush();
			List<ChunkCompleted> completed = poll(results, ChunkCompleted.class, job, 3);
			completed.sort(java.util.Comparator.comparingInt(ChunkCompleted::chunk));
			List<ItemResult> fromJson = completed.get(0).items().toList();
			List<ItemResult> fromTensor = completed.get(1).items().toList();
			assertThat(fromTensor).extracting(ItemResult::index).containsExactly(3L, 4L, 5L);
			// the same numbers in: the same outputs, but for the last digits, which
			// depend
			// on where a row sits in its batch
			for (int i = 0; i < rows.length; i++) {
				assertThat(fromTensor.get(i).output().get("class_id"))
					.isEqualTo(fromJson.get(i).output().get("class_id"));
				for (int p = 0; p < 3; p++) {
					assertThat(fromTensor.get(i).output().get("probabilities").get(p).asDouble())
						.isCloseTo(fromJson.get(i).output().get("probabilities").get(p).asDouble(), within(1e-6));
				}
			}
			assertThat(fromTensor).extracting((item) -> item.output().get("class_id").asLong())
				.containsExactly(0L, 2L, 1L);
			assertThat(completed.get(2).items().toList()).extracting((item) -> item.error().code())
				.containsExactly(ItemError.BAD_SHAPE, ItemError.BAD_SHAPE);
			assertThat(completed.get(2).items().failed()).isEqualTo(2);
		}
	}

	@Test
	void sendsAGarbledTensorChunkToTheDeadLetterTopic() {
		UUID job = UUID.randomUUID();
		byte[] garbled = ChunkTensors.encode(new ChunkSubmitted(job, 0, 0, "iris", "1", List.of()),
				DenseInstances.readArray("[[1,2,3,4]]".getBytes(), 16), Fixtures.IRIS_INPUT);
		byte[] truncated = java.util.Arrays.copyOf(garbled, garbled.length - 3);
		try (KafkaProducer<String, CloudEvent> producer = producer();
				KafkaConsumer<String, byte[]> dead = deadLetters()) {
			String key = new ChunkKey(job, 0).toString();
			producer.send(new ProducerRecord<>(TOPICS.chunks(), key,
					CloudEventRecords.eventWithData(job + ":0", ChunkSubmitted.TYPE, "api-service", job.toString(),
							Instant.now(), ChunkTensors.CONTENT_TYPE, truncated)));
			producer.flush();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				for (ConsumerRecord<String, byte[]> record : dead.poll(Duration.ofMillis(200))) {
					if (key.equals(record.key())) {
						assertThat(record.value()).isEqualTo(truncated);
						assertThat(new String(record.headers().lastHeader(RecordHeaders.ERROR).value()))
							.contains("data_offsets");
						assertThat(new String(record.headers().lastHeader("content-type").value()))
							.isEqualTo(ChunkTensors.CONTENT_TYPE);
						return true;
					}
				}
				return false;
			});
		}
	}

	@Test
	void announcesTheModelsItServesOnTheModelsTopic() {
		try (KafkaConsumer<String, CloudEvent> models = consumer(TOPICS.models())) {
			List<ModelDeployed> announced = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				for (ConsumerRecord<String, CloudEvent> record : models.poll(Duration.ofMillis(200))) {
					announced.add(CloudEventRecords.data(record.value(), ModelDeployed.class));
				}
				return !announced.isEmpty();
			});
			ModelDeployed iris = announced.get(0);
			assertThat(iris.key()).isEqualTo("iris:1@" + iris.workerId());
			assertThat(iris.workerId()).isNotBlank();
			assertThat(iris.announcedAt()).isNotNull();
			assertThat(iris.fingerprint()).matches("sha256:[0-9a-f]{64}");
			assertThat(iris.signature()).isEqualTo(Fixtures.IRIS);
			assertThat(iris.maxBatchSize()).isEqualTo(64);
		}
	}

	@Test
	void sendsARecordThatIsNoChunkToTheDeadLetterTopicAsItArrived() {
		byte[] poison = "not a cloud event".getBytes();
		try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer", StringSerializer.class,
						"value.serializer", ByteArraySerializer.class));
				KafkaConsumer<String, byte[]> dead = deadLetters()) {
			raw.send(new ProducerRecord<>(TOPICS.chunks(), "poison", poison));
			raw.flush();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				for (ConsumerRecord<String, byte[]> record : dead.poll(Duration.ofMillis(200))) {
					if ("poison".equals(record.key())) {
						assertThat(record.value()).isEqualTo(poison);
						assertThat(new String(record.headers().lastHeader(RecordHeaders.ERROR).value()))
							.contains("not a CloudEvent");
						assertThat(new String(record.headers().lastHeader(RecordHeaders.ORIGIN).value()))
							.startsWith(TOPICS.chunks() + "-");
						return true;
					}
				}
				return false;
			});
		}
	}

	static ChunkSubmitted chunk(UUID job, int chunk, long firstIndex, String... items) {
		List<JsonNode> instances = new ArrayList<>();
		for (String item : items) {
			instances.add(EventCodec.tree(item.getBytes()));
		}
		return new ChunkSubmitted(job, chunk, firstIndex, "iris", "1", instances);
	}

	static <T> List<T> poll(KafkaConsumer<String, CloudEvent> consumer, Class<T> type, UUID job, int count) {
		List<T> found = new ArrayList<>();
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
				if (job.toString().equals(record.key())) {
					found.add(CloudEventRecords.data(record.value(), type));
				}
			}
			return found.size() >= count;
		});
		return found;
	}

	static KafkaProducer<String, CloudEvent> producer() {
		return new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
	}

	/** A consumer of the dead letter topic's raw records, from the start. */
	private static KafkaConsumer<String, byte[]> deadLetters() {
		KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id", "test-" + UUID.randomUUID(),
						"auto.offset.reset", "earliest", "isolation.level", "read_committed", "key.deserializer",
						StringDeserializer.class, "value.deserializer", ByteArrayDeserializer.class));
		consumer.subscribe(List.of(TOPICS.chunksDeadLetter()));
		return consumer;
	}

	static KafkaConsumer<String, CloudEvent> consumer(String topic) {
		KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id", "test-" + UUID.randomUUID(),
						"auto.offset.reset", "earliest", "isolation.level", "read_committed", "key.deserializer",
						StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class));
		consumer.subscribe(List.of(topic));
		return consumer;
	}

}
