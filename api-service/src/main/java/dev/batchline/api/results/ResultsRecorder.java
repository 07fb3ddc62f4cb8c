package dev.batchline.api.results;

import java.util.List;

import dev.batchline.api.job.JobLifecycle;
import dev.batchline.api.job.JobManagement;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.CloudEventRecords;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Consumes chunk results (read_committed: only what workers committed) and records each
 * poll's results in one Postgres transaction. Offsets are committed after the
 * transaction, so a crash in between replays results, which recording ignores as
 * duplicates.
 */
@Component
class ResultsRecorder {

	private static final Logger log = LoggerFactory.getLogger(ResultsRecorder.class);

	private final JobManagement jobs;

	private final TransactionTemplate transactions;

	private final Counter recorded;

	private final Counter duplicates;

	ResultsRecorder(JobManagement jobs, TransactionTemplate transactions, MeterRegistry meters) {
		this.jobs = jobs;
		this.transactions = transactions;
		this.recorded = meters.counter("batchline.results.recorded");
		this.duplicates = meters.counter("batchline.results.duplicates");
	}

	@KafkaListener(id = "results-recorder", topics = "#{@topics.results()}", groupId = JobLifecycle.RECORDER_GROUP,
			batch = "true")
	void onResults(List<ConsumerRecord<String, CloudEvent>> records) {
		List<ChunkCompleted> results = records.stream().map(this::decode).filter(java.util.Objects::nonNull).toList();
		this.transactions.executeWithoutResult((status) -> {
			for (ChunkCompleted result : results) {
				if (this.jobs.recordChunk(result)) {
					this.recorded.increment();
				}
				else {
					this.duplicates.increment();
				}
			}
		});
	}

	private ChunkCompleted decode(ConsumerRecord<String, CloudEvent> record) {
		try {
			return CloudEventRecords.data(record.value(), ChunkCompleted.class);
		}
		catch (RuntimeException ex) {
			// A record that is not a chunk result can never be recorded; retrying it
			// would stall
			// the partition.
			log.error("Skipping undecodable result record at {}-{}@{}: {}", record.topic(), record.partition(),
					record.offset(), ex.toString());
			return null;
		}
	}

}
