package dev.batchline.worker.batching;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.Topics;
import dev.batchline.worker.inference.BatchInference;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ModelRepository.ServedModel;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumes chunks and produces their results. The items of every chunk in a poll are
 * gathered per model version and predicted in batches across chunk boundaries (the poll
 * itself is bounded by {@code max-batch-delay} through the consumer's fetch wait). Each
 * chunk gets exactly one {@link ChunkCompleted} record, sent in the listener container's
 * Kafka transaction, which also commits the consumed offsets: a crash before the commit
 * re-delivers the chunks and aborts the results, so results are published once. A record
 * that cannot even be decoded goes to the dead letter topic in the same transaction.
 */
@Component
class ChunkListener {

	private static final Logger log = LoggerFactory.getLogger(ChunkListener.class);

	private static final String SOURCE = "worker-service";

	private final ModelRepository models;

	private final BatchInference inference;

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	private final String workerId;

	ChunkListener(ModelRepository models, BatchInference inference, KafkaTemplate<String, CloudEvent> kafka,
			Topics topics) {
		this.models = models;
		this.inference = inference;
		this.kafka = kafka;
		this.topics = topics;
		this.workerId = System.getenv().getOrDefault("HOSTNAME", "worker") + "-" + ProcessHandle.current().pid();
	}

	@KafkaListener(id = "chunk-worker", topics = "#{@topics.chunks()}",
			groupId = "${batchline.worker.group-id:batchline-workers}", batch = "true",
			concurrency = "${batchline.worker.concurrency:1}")
	void onChunks(List<ConsumerRecord<String, CloudEvent>> records) {
		List<ChunkSubmitted> chunks = new ArrayList<>(records.size());
		for (ConsumerRecord<String, CloudEvent> record : records) {
			decode(record).ifPresent(chunks::add);
		}
		Map<String, List<ChunkSubmitted>> byModel = new LinkedHashMap<>();
		for (ChunkSubmitted chunk : chunks) {
			byModel.computeIfAbsent(chunk.model() + ":" + chunk.version(), (key) -> new ArrayList<>()).add(chunk);
		}
		for (List<ChunkSubmitted> group : byModel.values()) {
			ChunkSubmitted first = group.get(0);
			Optional<ServedModel> model = this.models.find(first.model(), first.version());
			List<List<ItemResult>> results = model.isPresent() ? predict(model.get(), group) : unavailable(group);
			for (int c = 0; c < group.size(); c++) {
				ChunkSubmitted chunk = group.get(c);
				ChunkCompleted completed = new ChunkCompleted(chunk.jobId(), chunk.chunk(), chunk.firstIndex(),
						chunk.model(), chunk.version(), this.workerId, results.get(c));
				String id = chunk.jobId() + ":" + chunk.chunk();
				this.kafka.send(this.topics.results(), chunk.jobId().toString(), CloudEventRecords.event(id,
						ChunkCompleted.TYPE, SOURCE, chunk.jobId().toString(), java.time.Instant.now(), completed));
			}
		}
	}

	/** Predicts every item of the chunks together, then hands each chunk its results. */
	private List<List<ItemResult>> predict(ServedModel model, List<ChunkSubmitted> chunks) {
		List<JsonNode> items = new ArrayList<>();
		List<Long> indices = new ArrayList<>();
		for (ChunkSubmitted chunk : chunks) {
			for (int i = 0; i < chunk.instances().size(); i++) {
				items.add(chunk.instances().get(i));
				indices.add(chunk.firstIndex() + i);
			}
		}
		List<ItemResult> all = this.inference.predict(model, items, indices);
		List<List<ItemResult>> perChunk = new ArrayList<>(chunks.size());
		int at = 0;
		for (ChunkSubmitted chunk : chunks) {
			perChunk.add(all.subList(at, at + chunk.instances().size()));
			at += chunk.instances().size();
		}
		return perChunk;
	}

	private List<List<ItemResult>> unavailable(List<ChunkSubmitted> chunks) {
		List<List<ItemResult>> perChunk = new ArrayList<>(chunks.size());
		for (ChunkSubmitted chunk : chunks) {
			log.warn("Job(id={}) chunk {}: model {}:{} is not served by this worker", chunk.jobId(), chunk.chunk(),
					chunk.model(), chunk.version());
			ItemError error = new ItemError(ItemError.MODEL_UNAVAILABLE,
					"model " + chunk.model() + ":" + chunk.version() + " is not served by the workers");
			List<ItemResult> items = new ArrayList<>(chunk.instances().size());
			for (int i = 0; i < chunk.instances().size(); i++) {
				items.add(ItemResult.failure(chunk.firstIndex() + i, error));
			}
			perChunk.add(items);
		}
		return perChunk;
	}

	private Optional<ChunkSubmitted> decode(ConsumerRecord<String, CloudEvent> record) {
		String problem;
		try {
			if (record.value() != null) {
				ChunkSubmitted chunk = CloudEventRecords.data(record.value(), ChunkSubmitted.class);
				if (chunk.jobId() != null && chunk.instances() != null && chunk.model() != null) {
					return Optional.of(chunk);
				}
				problem = "the chunk misses job_id, model or instances";
			}
			else {
				problem = "the record is not a CloudEvent";
			}
		}
		catch (RuntimeException ex) {
			problem = ex.toString();
		}
		log.error("Chunk record {}-{}@{} cannot be processed, sent to {}: {}", record.topic(), record.partition(),
				record.offset(), this.topics.chunksDeadLetter(), problem);
		CloudEvent dead = (record.value() != null) ? record.value()
				: CloudEventRecords.event("dev.batchline.chunk.undecodable", SOURCE, String.valueOf(record.key()),
						Map.of("topic", record.topic(), "partition", record.partition(), "offset", record.offset()));
		ProducerRecord<String, CloudEvent> letter = new ProducerRecord<>(this.topics.chunksDeadLetter(), record.key(),
				dead);
		letter.headers().add("batchline_error", problem.getBytes(StandardCharsets.UTF_8));
		letter.headers()
			.add("batchline_origin", (record.topic() + "-" + record.partition() + "@" + record.offset())
				.getBytes(StandardCharsets.UTF_8));
		this.kafka.send(letter);
		return Optional.empty();
	}

}
