package dev.batchline.api.outbox;

import java.util.UUID;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes records to the transactional outbox, inside the caller's transaction, so a
 * record is published if and only if the change it announces is committed. The relay is
 * woken up once the transaction commits.
 */
@Component
public class Outbox {

	static final String CHUNKS = "chunks";

	static final String JOB_EVENTS = "job-events";

	private final JdbcTemplate jdbc;

	private final OutboxRelay relay;

	Outbox(JdbcTemplate jdbc, OutboxRelay relay) {
		this.jdbc = jdbc;
		this.relay = relay;
	}

	/**
	 * Adds one chunk record for each of the job's chunks {@code 0..chunks-1}. Chunk
	 * records are keyed {@code <job id>/<chunk>}, not by job id alone, so one large job
	 * spreads over every partition and so over every worker replica.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendChunks(UUID jobId, int chunks) {
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, chunk_no)
				select ?, ? || '/' || n, ? || ':' || n, ?, ?, n from generate_series(0, ? - 1) n
				""", CHUNKS, jobId.toString(), jobId.toString(), ChunkSubmitted.TYPE, jobId, chunks);
		wakeRelayAfterCommit();
	}

	/** Adds a job event. */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendJobEvent(JobEvent event) {
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, payload)
				values (?, ?, ?, ?, ?, ?)
				""", JOB_EVENTS, event.jobId().toString(), event.id().toString(), JobEvent.cloudEventType(event.type()),
				event.jobId(), EventCodec.encode(event));
		wakeRelayAfterCommit();
	}

	private void wakeRelayAfterCommit() {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				Outbox.this.relay.wakeUp();
			}
		});
	}

}
