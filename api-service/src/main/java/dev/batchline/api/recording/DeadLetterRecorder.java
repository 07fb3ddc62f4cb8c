package dev.batchline.api.recording;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.batchline.api.job.JobManagement;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.RecordHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Records the chunks the workers gave up on ({@code batchline.chunks.DLT}, keyed by
 * {@link ChunkKey}): every item of such a chunk fails with {@link ItemError#CHUNK_FAILED}
 * and the worker's reason ({@link RecordHeaders#ERROR}), so the job still finishes. The
 * record's value is not needed (and may be what could not be decoded).
 */
@Component
class DeadLetterRecorder {

	private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

	private final JobManagement jobs;

	private final Counter failed;

	DeadLetterRecorder(JobManagement jobs, MeterRegistry meters) {
		this.jobs = jobs;
		this.failed = Counter.builder("batchline.chunks.dead_lettered")
			.description("Chunks the workers could not process, recorded as failed items")
			.register(meters);
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
			Header error = record.headers().lastHeader(RecordHeaders.ERROR);
			String reason = (error != null) ? new String(error.value(), StandardCharsets.UTF_8) : "unknown";
			if (this.jobs.failChunk(chunk, ItemError.CHUNK_FAILED,
					"the worker could not process the chunk: " + reason)) {
				this.failed.increment();
				log.warn("Job(id={}) chunk {}: dead-lettered by a worker, its items fail: {}", chunk.jobId(),
						chunk.chunk(), reason);
			}
		}
	}

}
