package dev.batchline.api.results;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

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
 * poll's results in one Postgres transaction, locking each of their jobs once. Offsets
 * are committed after the transaction, so a crash in between replays results, which
 * recording ignores as duplicates.
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
		// each job locked once, and the jobs in one order whatever the records' order
		Map<UUID, List<ChunkCompleted>> byJob = records.stream()
			.map(this::decode)
			.filter(Objects::nonNull)
			.collect(Collectors.groupingBy(ChunkCompleted::jobId, TreeMap::new, Collectors.toList()));
		this.transactions.executeWithoutResult((status) -> byJob.forEach((job, results) -> {
			int recorded = this.jobs.recordChunks(job, results);
			this.recorded.increment(recorded);
			this.duplicates.increment(results.size() - recorded);
		}));
	}

	private ChunkCompleted decode(ConsumerRecord<String, CloudEvent> record) {
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
