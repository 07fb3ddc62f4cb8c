package dev.batchline.api.results;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.job.JobLifecycle;
import dev.batchline.contracts.ItemError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Records the chunks the workers gave up on ({@code batchline.chunks.DLT}, key
 * {@code <job id>/<chunk>}): every item of such a chunk fails with
 * {@link ItemError#CHUNK_FAILED} and the worker's reason, so the job still finishes. The
 * record's value is not needed (and may be what could not be decoded).
 */
@Component
class DeadLetterRecorder {

	/** The header in which workers say why a chunk was dead-lettered. */
	static final String ERROR_HEADER = "batchline_error";

	private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

	private final JobLifecycle lifecycle;

	private final Counter failed;

	DeadLetterRecorder(JobLifecycle lifecycle, MeterRegistry meters) {
		this.lifecycle = lifecycle;
		this.failed = Counter.builder("batchline.chunks.dead_lettered")
			.description("Chunks the workers could not process, recorded as failed items")
			.register(meters);
	}

	@KafkaListener(id = "dead-letter-recorder", topics = "#{@topics.chunksDeadLetter()}",
			groupId = "batchline-dead-letter-recorders", batch = "true")
	void onDeadLetters(List<ConsumerRecord<String, Object>> records) {
		for (ConsumerRecord<String, Object> record : records) {
			String key = record.key();
			int slash = (key != null) ? key.lastIndexOf('/') : -1;
			UUID jobId;
			int chunk;
			try {
				jobId = UUID.fromString(key.substring(0, slash));
				chunk = Integer.parseInt(key.substring(slash + 1));
			}
			catch (RuntimeException ex) {
				log.error("Dead letter {}-{}@{} has no <job id>/<chunk> key ({}); nothing to record", record.topic(),
						record.partition(), record.offset(), key);
				continue;
			}
			Header error = record.headers().lastHeader(ERROR_HEADER);
			String reason = (error != null) ? new String(error.value(), StandardCharsets.UTF_8) : "unknown";
			if (this.lifecycle.failChunk(jobId, chunk, ItemError.CHUNK_FAILED,
					"the worker could not process the chunk: " + reason)) {
				this.failed.increment();
				log.warn("Job(id={}) chunk {}: dead-lettered by a worker, its items fail: {}", jobId, chunk, reason);
			}
		}
	}

}
