package dev.batchline.api.recording;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.UnrecordableResultException;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.RecordHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Records the chunks the workers gave up on ({@code batchline.chunks.DLT}, keyed by
 * {@link ChunkKey}): every item of such a chunk fails, so the job still finishes, with
 * {@link ItemError#RESULT_TOO_LARGE} when its results were too large for a record
 * ({@link RecordHeaders#REASON}) and {@link ItemError#CHUNK_FAILED} otherwise, and the
 * worker's reason ({@link RecordHeaders#ERROR}). The record's value is not needed (and
 * may be what could not be decoded).
 */
@Component
class DeadLetterRecorder {

	private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

	private final JobManagement jobs;

	private final MeterRegistry meters;

	DeadLetterRecorder(JobManagement jobs, MeterRegistry meters) {
		this.jobs = jobs;
		this.meters = meters;
		// at 0 from the start: an alert on increase() misses a counter's first increment
		// when the series only appears with it
		for (String reason : List.of(DeadLetterReasons.UNDECODABLE, DeadLetterReasons.CHUNK_FAILED,
				DeadLetterReasons.RESULT_TOO_LARGE)) {
			meters.counter("batchline.chunks.dead_lettered", "reason", reason);
		}
	}

	@KafkaListener(id = "dead-letter-recorder", topics = "#{@topics.chunksDeadLetter()}",
			groupId = ConsumerGroups.DEAD_LETTER_RECORDERS, batch = "true")
	void onDeadLetters(List<ConsumerRecord<String, Object>> records) {
		for (ConsumerRecord<String, Object> record : records) {
			ChunkKey chunk;
			try {
				chunk = ChunkKey.parse(record.key());
			}
			catch (IllegalArgumentException ex) {
				log.error("Dead letter {}-{}@{} has no <job id>/<chunk> key ({}); nothing to record", record.topic(),
						record.partition(), record.offset(), record.key());
				continue;
			}
			String error = header(record, RecordHeaders.ERROR, "unknown");
			String reason = reason(record);
			boolean tooLarge = DeadLetterReasons.RESULT_TOO_LARGE.equals(reason);
			try {
				if (this.jobs.failChunk(chunk, tooLarge ? ItemError.RESULT_TOO_LARGE : ItemError.CHUNK_FAILED,
						tooLarge ? error : "the worker could not process the chunk: " + error)) {
					this.meters.counter("batchline.chunks.dead_lettered", "reason", reason).increment();
					log.warn("Job(id={}) chunk {}: dead-lettered by a worker ({}), its items fail: {}", chunk.jobId(),
							chunk.chunk(), reason, error);
				}
			}
			catch (UnrecordableResultException ex) {
				// trying again would stall the topic; the watchdog fails the chunk in the
				// end
				log.error("Job(id={}) chunk {}: dead-lettered by a worker, but its items cannot be failed: {}",
						chunk.jobId(), chunk.chunk(), ex.getMessage());
			}
		}
	}

	/**
	 * The worker's reason: one of those a worker gives, so that a record from elsewhere
	 * cannot make up metric tags.
	 */
	private static String reason(ConsumerRecord<String, Object> record) {
		String reason = header(record, RecordHeaders.REASON, DeadLetterReasons.CHUNK_FAILED);
		return switch (reason) {
			case DeadLetterReasons.RESULT_TOO_LARGE, DeadLetterReasons.UNDECODABLE -> reason;
			default -> DeadLetterReasons.CHUNK_FAILED;
		};
	}

	private static String header(ConsumerRecord<String, Object> record, String name, String absent) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : absent;
	}

}
