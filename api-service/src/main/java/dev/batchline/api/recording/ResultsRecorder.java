package dev.batchline.api.recording;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.TracedResult;
import dev.batchline.api.job.UnrecordableResultException;
import dev.batchline.support.DeadLetterRecords;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.TraceContext;
import dev.batchline.support.tracing.JobTracing;
import io.micrometer.tracing.Span;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumes chunk results (read_committed: only what workers committed) and hands each
 * poll's results to {@link JobManagement#recordResults}, which records them in one
 * PostgreSQL transaction. Offsets are committed after it, so a crash in between replays
 * results, which recording ignores as duplicates.
 * <p>
 * A poll that fails for the database's sake (PostgreSQL away) fails as a whole, and the
 * listener's error handler tries it again with a growing pause until it passes: nothing
 * is skipped. A result that can never be recorded must not hold up its partition that
 * way: one that cannot be decoded, and one that cannot be recorded even on its own after
 * {@link RecorderProperties#poisonAttempts()} attempts, goes to the results' dead letter
 * topic ({@link ResultDeadLetters}), and its chunk's items fail with
 * {@link ItemError#RESULT_INVALID}, so the job still finishes.
 * <p>
 * Each result is recorded in a span of its job's trace, continued from the context the
 * record carries ({@link JobTracing}).
 */
@Component
class ResultsRecorder {

	private static final Logger log = LoggerFactory.getLogger(ResultsRecorder.class);

	private final JobManagement jobs;

	private final ResultDeadLetters deadLetters;

	private final RetryTemplate poison;

	private final JobTracing tracing;

	ResultsRecorder(JobManagement jobs, ResultDeadLetters deadLetters, RecorderProperties properties,
			JobTracing tracing) {
		this.jobs = jobs;
		this.tracing = tracing;
		this.deadLetters = deadLetters;
		long pause = Math.max(1, properties.poisonBackoff().toMillis());
		this.poison = RetryTemplate.builder()
			.maxAttempts(properties.poisonAttempts())
			.exponentialBackoff(pause, 2, pause * 8)
			// an unknown job or chunk stays unknown; data refused may have met a passing
			// constraint
			.retryOn((failure) -> failure instanceof UnrecordableResultException unrecordable
					&& DeadLetterReasons.UNSTORABLE.equals(unrecordable.reason()))
			.build();
	}

	@KafkaListener(id = "results-recorder", topics = "#{@topics.results()}", groupId = ConsumerGroups.RECORDERS,
			batch = "true")
	void onResults(List<ConsumerRecord<String, CloudEvent>> records) {
		List<Received> received = new ArrayList<>(records.size());
		for (ConsumerRecord<String, CloudEvent> record : records) {
			ChunkCompleted result;
			try {
				result = decode(record);
			}
			catch (RuntimeException ex) {
				reject(record, DeadLetterReasons.UNDECODABLE, "the record is not a chunk result: " + firstLine(ex),
						chunkNamedBy(record));
				continue;
			}
			received.add(new Received(record, new TracedResult(result, this.tracing.start("record result",
					Span.Kind.CONSUMER, result.jobId(), TraceContext.of(record.value())))));
		}
		if (received.isEmpty()) {
			return;
		}
		try {
			this.jobs.recordResults(received.stream().map(Received::traced).toList());
		}
		catch (UnrecordableResultException ex) {
			// one of them cannot be recorded; on their own, the others can
			log.warn("A poll of {} results cannot be recorded as a whole ({}); recording them one by one",
					received.size(), ex.getMessage());
			for (Received one : received) {
				recordAlone(one);
			}
		}
		finally {
			received.forEach((one) -> one.traced().step().close());
		}
	}

	private void recordAlone(Received one) {
		try {
			this.poison.execute((retry) -> this.jobs.recordResults(List.of(one.traced())));
		}
		catch (UnrecordableResultException ex) {
			ChunkCompleted result = one.traced().result();
			reject(one.record(), ex.reason(), ex.getMessage(),
					Optional.of(new ChunkKey(result.jobId(), result.chunk())));
		}
	}

	/**
	 * Dead-letters a result record and fails its chunk's items; a failure to do either
	 * that is worth trying again fails the poll, which is then tried again as a whole.
	 */
	private void reject(ConsumerRecord<String, CloudEvent> record, String reason, String problem,
			Optional<ChunkKey> chunk) {
		log.error("Result record {}-{}@{} (job {}) cannot be recorded ({}: {}); sent to {}", record.topic(),
				record.partition(), record.offset(), record.key(), reason, problem, this.deadLetters.topic());
		this.deadLetters.send(record, reason, problem);
		if (chunk.isEmpty() || DeadLetterReasons.UNKNOWN_JOB.equals(reason)
				|| DeadLetterReasons.UNKNOWN_CHUNK.equals(reason)) {
			return;
		}
		try {
			if (this.jobs.failChunk(chunk.get(), ItemError.RESULT_INVALID,
					"the worker's result for the chunk could " + "not be recorded (" + reason + "): " + problem
							+ "; it was sent to " + this.deadLetters.topic())) {
				log.warn("Job(id={}) chunk {}: its items fail with {}", chunk.get().jobId(), chunk.get().chunk(),
						ItemError.RESULT_INVALID);
			}
		}
		catch (UnrecordableResultException ex) {
			// the chunk stays unanswered; the watchdog re-drives it, and fails it in the
			// end
			log.error("Job(id={}) chunk {}: its items cannot be failed either: {}", chunk.get().jobId(),
					chunk.get().chunk(), ex.getMessage());
		}
	}

	private static ChunkCompleted decode(ConsumerRecord<String, CloudEvent> record) {
		if (record.value() == null) {
			throw new IllegalArgumentException("not a CloudEvent");
		}
		ChunkCompleted result = CloudEventRecords.data(record.value(), ChunkCompleted.class);
		if (result.jobId() == null) {
			throw new IllegalArgumentException("the result names no job");
		}
		if (result.items() == null) {
			throw new IllegalArgumentException("the result has no items");
		}
		return result;
	}

	/**
	 * The chunk a record that could not be decoded as a result still names in its JSON
	 * ({@code job_id} and {@code chunk}), so that its items can fail.
	 */
	private static Optional<ChunkKey> chunkNamedBy(ConsumerRecord<String, CloudEvent> record) {
		try {
			byte[] bytes = DeadLetterRecords.originalBytes(record);
			JsonNode json = (bytes != null) ? EventCodec.tree(bytes) : null;
			if (json != null && json.path("job_id").isString() && json.path("chunk").canConvertToInt()
					&& json.path("chunk").isIntegralNumber()) {
				return Optional
					.of(new ChunkKey(UUID.fromString(json.get("job_id").asString()), json.get("chunk").asInt()));
			}
		}
		catch (RuntimeException ex) {
			// not even JSON: nothing names the chunk
		}
		return Optional.empty();
	}

	/** The failure's message without the parser's location lines. */
	private static String firstLine(RuntimeException failure) {
		String message = (failure.getMessage() != null) ? failure.getMessage() : failure.toString();
		int newline = message.indexOf('\n');
		return (newline >= 0) ? message.substring(0, newline) : message;
	}

	/** A decoded result and the record it came in. */
	private record Received(ConsumerRecord<String, CloudEvent> record, TracedResult traced) {
	}

}
