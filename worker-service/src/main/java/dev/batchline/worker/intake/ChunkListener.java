package dev.batchline.worker.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.batchline.support.DeadLetterRecords;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.TraceContext;
import dev.batchline.support.tracing.JobTracing;
import dev.batchline.worker.batching.BatchInference;
import dev.batchline.worker.intake.ChunkReader.Chunk;
import dev.batchline.worker.model.AnnounceProperties;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.threads.InferenceStoppedException;
import io.cloudevents.CloudEvent;
import io.micrometer.tracing.Span;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.stereotype.Component;

/**
 * Consumes chunks and produces their results. The items of every chunk in a poll are
 * gathered per model version and predicted in batches across chunk boundaries (the poll
 * itself is bounded by {@code max-batch-delay} through the consumer's fetch wait). Each
 * chunk gets exactly one {@link ChunkCompleted} record, sent in the listener container's
 * Kafka transaction, which also commits the consumed offsets: a crash before the commit
 * re-delivers the chunks and aborts the results, so results are published once. A record
 * that cannot be decoded, a chunk that fails even on its own, or a chunk whose results
 * are too large for a record ({@link ResultLimit}), goes to the {@link DeadLetters dead
 * letter topic} in the same transaction.
 * <p>
 * Each chunk is predicted in a span of its job's trace ({@code predict}), continued from
 * the context its record carries, and its result record carries that span's context on
 * ({@link JobTracing}).
 */
@Component
class ChunkListener {

	private static final Logger log = LoggerFactory.getLogger(ChunkListener.class);

	private static final String SOURCE = "worker-service";

	private final ModelRepository models;

	private final BatchInference inference;

	private final KafkaTemplate<String, Object> kafka;

	private final Topics topics;

	private final String workerId;

	private final SkippedJobs skipped;

	private final DeadLetters deadLetters;

	private final ResultLimit limit;

	private final JobTracing tracing;

	ChunkListener(ModelRepository models, BatchInference inference, KafkaTemplate<String, Object> kafka, Topics topics,
			SkippedJobs skipped, DeadLetters deadLetters, ResultLimit limit, AnnounceProperties announce,
			JobTracing tracing) {
		this.models = models;
		this.tracing = tracing;
		this.inference = inference;
		this.kafka = kafka;
		this.topics = topics;
		this.skipped = skipped;
		this.deadLetters = deadLetters;
		this.limit = limit;
		this.workerId = announce.workerId();
	}

	@KafkaListener(id = "chunk-worker", topics = "#{@topics.chunks()}",
			groupId = "${batchline.worker.group-id:" + ConsumerGroups.WORKERS + "}", batch = "true",
			concurrency = "${batchline.worker.concurrency:1}")
	void onChunks(List<ConsumerRecord<String, CloudEvent>> records) {
		Map<String, List<Received>> byModel = new LinkedHashMap<>();
		for (ConsumerRecord<String, CloudEvent> record : records) {
			Optional<Chunk> decoded = decode(record);
			if (decoded.isPresent() && this.skipped.contains(decoded.get().jobId())) {
				// the job was cancelled or has expired: answer without predicting
				Chunk chunk = decoded.get();
				this.kafka.send(result(chunk,
						new ChunkCompleted(chunk.jobId(), chunk.number(), chunk.firstIndex(), chunk.model(),
								chunk.version(), this.workerId, ItemResults.EMPTY, true),
						TraceContext.of(record.value())));
			}
			else {
				decoded.ifPresent((chunk) -> byModel
					.computeIfAbsent(chunk.model() + ":" + chunk.version(), (key) -> new ArrayList<>())
					.add(new Received(record, chunk, this.tracing.start("predict", Span.Kind.CONSUMER, chunk.jobId(),
							TraceContext.of(record.value())))));
			}
		}
		try {
			for (List<Received> group : byModel.values()) {
				completeAndSend(group);
			}
		}
		finally {
			byModel.values().forEach((group) -> group.forEach((received) -> received.step().close()));
		}
	}

	private void completeAndSend(List<Received> group) {
		// results are computed first and sent after, so a failure never leaves a
		// chunk's result sent twice in one transaction
		List<Outgoing> results = new ArrayList<>();
		try {
			results.addAll(complete(group));
		}
		catch (InferenceStoppedException ex) {
			// shutting down: no chunk is at fault; the transaction aborts and the
			// chunks come again
			throw ex;
		}
		catch (RuntimeException ex) {
			// Item errors never get here: this is the model or the worker failing on
			// the whole batch. Each chunk is tried on its own so that one poison
			// chunk cannot hold back the others of its poll.
			log.warn("Batch of {} chunks failed, retrying them one by one: {}", group.size(), ex.toString());
			for (Received received : group) {
				try {
					results.addAll(complete(List.of(received)));
				}
				catch (InferenceStoppedException stopped) {
					throw stopped;
				}
				catch (RuntimeException chunkFailure) {
					Chunk chunk = received.chunk();
					received.step().error(chunkFailure);
					try (JobTracing.Scope scope = received.step().open()) {
						log.error("Job(id={}) chunk {} cannot be processed, sent to {}", chunk.jobId(), chunk.number(),
								this.deadLetters.topic(), chunkFailure);
					}
					this.deadLetters.send(received.record(), DeadLetterReasons.CHUNK_FAILED, chunkFailure.toString());
				}
			}
		}
		results.forEach(this::send);
	}

	/**
	 * Sends a chunk's result, or the chunk to the dead letter topic when its result is
	 * too large for a record: sent, it would abort the transaction, and the chunk would
	 * come again, forever.
	 */
	private void send(Outgoing result) {
		if (!this.limit.fits(result.bytes())) {
			Chunk chunk = result.received().chunk();
			String problem = "the chunk's results are " + result.bytes() + " bytes of JSON, more than the "
					+ this.limit.bytes() + " a result record may carry (the worker's max.request.size, or the "
					+ "results topic's max.message.bytes); submit fewer items per chunk, or raise both limits";
			try (JobTracing.Scope scope = result.received().step().open()) {
				log.error("Job(id={}) chunk {}: {}; sent to {}", chunk.jobId(), chunk.number(), problem,
						this.deadLetters.topic());
			}
			this.deadLetters.send(result.received().record(), DeadLetterReasons.RESULT_TOO_LARGE, problem);
			return;
		}
		this.kafka.send(result.record()).whenComplete((sent, failure) -> {
			// the broker's limit is not known beforehand: this transaction aborts, and
			// the
			// chunk that comes again is dead-lettered
			if (isTooLarge(failure)) {
				this.limit.refused(result.bytes());
			}
		});
	}

	private static boolean isTooLarge(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RecordTooLargeException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Predicts the chunks of one model version together; returns their result records,
	 * sent only once every chunk of the group has its results (no half-sent group).
	 */
	private List<Outgoing> complete(List<Received> group) {
		Chunk first = group.get(0).chunk();
		Optional<ServedModel> model = this.models.find(first.model(), first.version());
		List<Chunk> chunks = group.stream()
			.map(Received::chunk)
			.map((chunk) -> (model.isEmpty() || chunk.items().readyFor(model.get().signature())) ? chunk
					: chunk.asTrees())
			.toList();
		group.forEach((received) -> received.step()
			.tag("batchline.chunk", Integer.toString(received.chunk().number()))
			.tag("batchline.model", first.model() + ":" + first.version())
			.tag("batchline.batch.chunks", Integer.toString(group.size())));
		List<ItemResults> results = model.isPresent()
				? this.inference.predict(model.get(), chunks.stream().map(Chunk::items).toList()) : unavailable(chunks);
		List<Outgoing> out = new ArrayList<>(chunks.size());
		for (int c = 0; c < chunks.size(); c++) {
			Chunk chunk = chunks.get(c);
			ProducerRecord<String, Object> record = result(chunk, new ChunkCompleted(chunk.jobId(), chunk.number(),
					chunk.firstIndex(), chunk.model(), chunk.version(), this.workerId, results.get(c)),
					group.get(c).step().context());
			out.add(new Outgoing(group.get(c), record, ((CloudEvent) record.value()).getData().toBytes().length));
		}
		return out;
	}

	private ProducerRecord<String, Object> result(Chunk chunk, ChunkCompleted completed, TraceContext trace) {
		// the id is stable across redeliveries, so consumers can deduplicate on it
		String id = chunk.jobId() + ":" + chunk.number();
		return new ProducerRecord<>(this.topics.results(), chunk.jobId().toString(),
				TraceContext.attach(CloudEventRecords.event(id, ChunkCompleted.TYPE, SOURCE, chunk.jobId().toString(),
						Instant.now(), completed), trace));
	}

	private List<ItemResults> unavailable(List<Chunk> chunks) {
		List<ItemResults> perChunk = new ArrayList<>(chunks.size());
		for (Chunk chunk : chunks) {
			try (JobTracing.Scope scope = JobTracing.Scope.job(chunk.jobId())) {
				log.warn("Job(id={}) chunk {}: model {}:{} is not served by this worker", chunk.jobId(), chunk.number(),
						chunk.model(), chunk.version());
			}
			ItemError error = new ItemError(ItemError.MODEL_UNAVAILABLE,
					"model " + chunk.model() + ":" + chunk.version() + " is not served by the workers");
			List<ItemResult> items = new ArrayList<>(chunk.items().size());
			for (int i = 0; i < chunk.items().size(); i++) {
				items.add(ItemResult.failure(chunk.firstIndex() + i, error));
			}
			perChunk.add(ItemResults.of(items));
		}
		return perChunk;
	}

	private Optional<Chunk> decode(ConsumerRecord<String, CloudEvent> record) {
		String problem;
		try {
			if (record.value() != null) {
				if (record.value().getData() == null) {
					throw new IllegalArgumentException("CloudEvent " + record.value().getId() + " has no data");
				}
				return Optional
					.of(ChunkReader.read(record.value().getDataContentType(), record.value().getData().toBytes()));
			}
			DeserializationException failure = DeadLetterRecords.deserializationFailure(record);
			problem = "the record is not a CloudEvent"
					+ ((failure != null && failure.getCause() != null) ? ": " + failure.getCause() : "");
		}
		catch (RuntimeException ex) {
			problem = ex.toString();
		}
		log.error("Chunk record {}-{}@{} (key {}) cannot be decoded, sent to {}: {}", record.topic(),
				record.partition(), record.offset(), record.key(), this.deadLetters.topic(), problem);
		this.deadLetters.send(record, DeadLetterReasons.UNDECODABLE, problem);
		return Optional.empty();
	}

	/** A decoded chunk and the record it came in. */
	private record Received(ConsumerRecord<String, CloudEvent> record, Chunk chunk, JobTracing.Step step) {
	}

	/** A chunk's result record, with the bytes of its JSON. */
	private record Outgoing(Received received, ProducerRecord<String, Object> record, int bytes) {
	}

}
