package dev.batchline.api.recording;

import java.util.ArrayList;
import java.util.List;

import dev.batchline.api.job.JobManagement;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes chunk results (read_committed: only what workers committed) and hands each
 * poll's results to {@link JobManagement#recordResults}, which records them in one
 * PostgreSQL transaction. Offsets are committed after it, so a crash in between replays
 * results, which recording ignores as duplicates.
 */
@Component
class ResultsRecorder {

	private static final Logger log = LoggerFactory.getLogger(ResultsRecorder.class);

	private final JobManagement jobs;

	ResultsRecorder(JobManagement jobs) {
		this.jobs = jobs;
	}

	@KafkaListener(id = "results-recorder", topics = "#{@topics.results()}", groupId = ConsumerGroups.RECORDERS,
			batch = "true")
	void onResults(List<ConsumerRecord<String, CloudEvent>> records) {
		List<ChunkCompleted> results = new ArrayList<>(records.size());
		for (ConsumerRecord<String, CloudEvent> record : records) {
			ChunkCompleted result = decode(record);
			if (result != null) {
				results.add(result);
			}
		}
		this.jobs.recordResults(results);
	}

	private static ChunkCompleted decode(ConsumerRecord<String, CloudEvent> record) {
		try {
			ChunkCompleted result = CloudEventRecords.data(record.value(), ChunkCompleted.class);
			if (result.jobId() == null) {
				throw new IllegalArgumentException("the result names no job");
			}
			return result;
		}
		catch (RuntimeException ex) {
			// a record that is not a chunk result can never be recorded: retrying it
			// would stall the partition
			log.error("Skipping undecodable result record at {}-{}@{}: {}", record.topic(), record.partition(),
					record.offset(), ex.toString());
			return null;
		}
	}

}
