package dev.batchline.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker side of the topics, played by a test against the real broker: model
 * announcements, reading chunk records, and results and dead letters published exactly as
 * workers publish them. The full pipeline with real workers is in the system tests.
 */
final class WorkerSide implements AutoCloseable {

	private final Topics topics;

	private final KafkaProducer<String, Object> producer;

	private final KafkaConsumer<String, CloudEvent> chunkConsumer;

	private final KafkaConsumer<String, CloudEvent> eventConsumer;

	private final Map<String, String> contentTypes = new HashMap<>();

	/**
	 * @param topics the topics of the API under test
	 * @param workerGroup the consumer group chunk records are read (and committed) in, or
	 * null for a throwaway one
	 */
	WorkerSide(Topics topics, String workerGroup) {
		this.topics = topics;
		// transactional, as a real worker's producer: results end with a commit marker
		this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", ValueSerializer.class, "transactional.id",
				"worker-side-" + UUID.randomUUID()));
		this.producer.initTransactions();
		this.chunkConsumer = consumer(topics.chunks(), workerGroup);
		this.eventConsumer = consumer(topics.jobEvents(), null);
	}

	/** Announces the Iris model, as a worker does at start. */
	void announceIris() {
		announce(Fixtures.irisDeployed());
	}

	/** Announces a model, as a worker does at start. */
	void announce(ModelDeployed model) {
		send(List.of(new ProducerRecord<>(this.topics.models(), model.key(),
				CloudEventRecords.event(ModelDeployed.TYPE, "worker-service", model.key(), model))));
	}

	/** Withdraws one worker's announcement, as a worker that stops does: a tombstone. */
	void withdraw(String key) {
		send(List.of(new ProducerRecord<>(this.topics.models(), key, null)));
	}

	/**
	 * Items whose first feature is their index, so results can be traced back to inputs.
	 */
	static String jobJson(int items, String metadata) {
		String instances = IntStream.range(0, items)
			.mapToObj((i) -> "[" + i + ".0, 3.5, 1.4, 0.2]")
			.collect(Collectors.joining(","));
		return "{\"model\":\"iris\",\"instances\":[" + instances + "]"
				+ ((metadata != null) ? ",\"metadata\":" + metadata : "") + "}";
	}

	/**
	 * A result that echoes each item's first feature; item {@code failIndex} (or all, 0
	 * items jobs) fails.
	 */
	static ChunkCompleted echo(ChunkSubmitted chunk, long failIndex) {
		List<ItemResult> items = new ArrayList<>();
		for (int i = 0; i < chunk.instances().size(); i++) {
			long index = chunk.firstIndex() + i;
			boolean fail = index == failIndex || (failIndex == 0 && chunk.instances().size() == 1);
			items.add(fail ? ItemResult.failure(index, new ItemError(ItemError.MODEL_ERROR, "test failure"))
					: ItemResult.success(index, JsonNodeFactory.instance.objectNode()
						.put("echo", chunk.instances().get(i).get(0).asDouble())));
		}
		return new ChunkCompleted(chunk.jobId(), chunk.chunk(), chunk.firstIndex(), chunk.model(), chunk.version(),
				"test", items);
	}

	/** A chunk skipped by a worker because its job was cancelled or expired. */
	static ChunkCompleted skipped(ChunkSubmitted chunk) {
		return new ChunkCompleted(chunk.jobId(), chunk.chunk(), chunk.firstIndex(), chunk.model(), chunk.version(),
				"test", ItemResults.EMPTY, true);
	}

	void publishResult(ChunkCompleted result) {
		publishResults(List.of(result));
	}

	/**
	 * Sends the results together (one transaction), so that the recorder most likely gets
	 * them in one poll.
	 */
	void publishResults(List<ChunkCompleted> results) {
		send(results.stream().map((result) -> {
			String job = String.valueOf(result.jobId());
			return new ProducerRecord<String, Object>(this.topics.results(), job,
					CloudEventRecords.event(ChunkCompleted.TYPE, "worker-service", job, result));
		}).toList());
	}

	/** A dead letter as a worker writes it: the original bytes, why in a header. */
	void publishDeadLetter(ChunkSubmitted chunk, String why) {
		publishDeadLetter(chunk, null, why);
	}

	/**
	 * A dead letter as a worker writes it: the original bytes, why in headers (the
	 * reason, unless null, and the explanation).
	 */
	void publishDeadLetter(ChunkSubmitted chunk, String reason, String why) {
		ProducerRecord<String, Object> letter = new ProducerRecord<>(this.topics.chunksDeadLetter(),
				chunk.jobId() + "/" + chunk.chunk(), "{\"not\": \"a chunk\"}".getBytes(StandardCharsets.UTF_8));
		if (reason != null) {
			letter.headers().add("batchline_reason", reason.getBytes(StandardCharsets.UTF_8));
		}
		letter.headers().add("batchline_error", why.getBytes(StandardCharsets.UTF_8));
		send(List.of(letter));
	}

	/** Sends records in one Kafka transaction, committed before this returns. */
	private void send(List<ProducerRecord<String, Object>> records) {
		this.producer.beginTransaction();
		records.forEach(this.producer::send);
		this.producer.commitTransaction();
	}

	/** Reads chunk records until the job's {@code expected} chunks were seen. */
	List<ChunkSubmitted> chunksOf(UUID jobId, int expected) {
		Map<Integer, ChunkSubmitted> chunks = new HashMap<>();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			for (ConsumerRecord<String, CloudEvent> record : this.chunkConsumer.poll(Duration.ofMillis(200))) {
				ChunkSubmitted chunk = ChunkTensors.readSubmitted(record.value().getDataContentType(),
						record.value().getData().toBytes());
				if (chunk.jobId().equals(jobId)) {
					assertThat(record.value().getType()).isEqualTo(ChunkSubmitted.TYPE);
					assertThat(record.headers().lastHeader("ce_specversion")).isNotNull();
					chunks.put(chunk.chunk(), chunk);
					this.contentTypes.put(jobId + "/" + chunk.chunk(), record.value().getDataContentType());
				}
			}
			this.chunkConsumer.commitSync();
			return chunks.size() == expected;
		});
		return chunks.values().stream().sorted(Comparator.comparingInt(ChunkSubmitted::chunk)).toList();
	}

	/** The {@code datacontenttype} of a chunk record read by {@link #chunksOf}. */
	String contentTypeOf(UUID jobId, int chunk) {
		return this.contentTypes.get(jobId + "/" + chunk);
	}

	/** Reads job events until {@code expected} of the job's were seen. */
	List<JobEvent> eventsOf(UUID jobId, int expected) {
		List<JobEvent> events = new ArrayList<>();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			for (ConsumerRecord<String, CloudEvent> record : this.eventConsumer.poll(Duration.ofMillis(200))) {
				JobEvent event = CloudEventRecords.data(record.value(), JobEvent.class);
				if (event.jobId().equals(jobId)) {
					assertThat(record.value().getType()).isEqualTo(JobEvent.cloudEventType(event.type()));
					events.add(event);
				}
			}
			return events.size() >= expected;
		});
		return events;
	}

	@Override
	public void close() {
		this.producer.close();
		this.chunkConsumer.close();
		this.eventConsumer.close();
	}

	private static KafkaConsumer<String, CloudEvent> consumer(String topic, String group) {
		KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
				TestKafka.bootstrapServers(), "group.id", (group != null) ? group : "test-" + UUID.randomUUID(),
				"auto.offset.reset", "earliest", "enable.auto.commit", "false", "key.deserializer",
				StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class));
		consumer.subscribe(List.of(topic));
		return consumer;
	}

	/** CloudEvents as workers send them (binary mode), and raw bytes for dead letters. */
	public static final class ValueSerializer implements org.apache.kafka.common.serialization.Serializer<Object> {

		private final CloudEventSerializer events = new CloudEventSerializer();

		@Override
		public byte[] serialize(String topic, Object data) {
			throw new IllegalStateException("CloudEvents need headers");
		}

		@Override
		public byte[] serialize(String topic, org.apache.kafka.common.header.Headers headers, Object data) {
			return (data instanceof CloudEvent event) ? this.events.serialize(topic, headers, event) : (byte[]) data;
		}

	}

}
