package dev.batchline.api.outbox;

import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobControl;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.TraceContext;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookReplayRequested;
import dev.batchline.support.tracing.JobTracing;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes records to the transactional outbox, inside the caller's transaction, so a
 * record is published if and only if the change it announces is committed. The relay is
 * woken up once the transaction commits. Chunk records and job events keep the trace
 * context of the span current when they are written (the submission's request, the
 * recording of a result), so that the job's trace continues past the wait
 * ({@link JobTracing}).
 */
@Component
public class Outbox {

	static final String CHUNKS = "chunks";

	static final String JOB_EVENTS = "job-events";

	static final String CONTROL = "control";

	static final String WEBHOOK_COMMANDS = "webhook-commands";

	private final JdbcTemplate jdbc;

	private final OutboxRelay relay;

	private final JobTracing tracing;

	Outbox(JdbcTemplate jdbc, OutboxRelay relay, JobTracing tracing) {
		this.jdbc = jdbc;
		this.relay = relay;
		this.tracing = tracing;
	}

	/**
	 * Adds one chunk record for each of the job's chunks {@code 0..chunks-1}. Chunk
	 * records are keyed {@code <job id>/<chunk>}, not by job id alone, so one large job
	 * spreads over every partition and so over every worker replica.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendChunks(UUID jobId, int chunks) {
		TraceContext trace = this.tracing.current();
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, chunk_no, traceparent, tracestate)
				select ?, ? || '/' || n, ? || ':' || n, ?, ?, n, ?, ? from generate_series(0, ? - 1) n
				""", CHUNKS, jobId.toString(), jobId.toString(), ChunkSubmitted.TYPE, jobId, traceparent(trace),
				tracestate(trace), chunks);
		wakeRelayAfterCommit();
	}

	/**
	 * Adds chunk records again for the given chunks of a job (the watchdog's re-drive).
	 * The event ids are the chunks' own, so consumers see a redelivery.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendChunks(UUID jobId, List<Integer> chunkNos) {
		TraceContext trace = this.tracing.current();
		this.jdbc.batchUpdate("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, chunk_no, traceparent, tracestate)
				values (?, ?, ?, ?, ?, ?, ?, ?)
				""",
				chunkNos.stream()
					.map((n) -> new Object[] { CHUNKS, jobId + "/" + n, jobId + ":" + n, ChunkSubmitted.TYPE, jobId, n,
							traceparent(trace), tracestate(trace) })
					.toList());
		wakeRelayAfterCommit();
	}

	/**
	 * Removes the job's chunk records not published yet.
	 * @return the chunk numbers removed
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public List<Integer> removePendingChunks(UUID jobId) {
		return this.jdbc.queryForList("delete from outbox where job_id = ? and topic = ? returning chunk_no",
				Integer.class, jobId, CHUNKS);
	}

	/**
	 * Removes the chunk records of a finished job not published yet, except those the
	 * relay is publishing right now (it deletes them itself): a finished job waits for no
	 * chunk, and its recorder must not wait for the relay's round.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void dropPendingChunks(UUID jobId) {
		this.jdbc.update("""
				delete from outbox where id in (
				    select id from outbox where job_id = ? and topic = ? for update skip locked)
				""", jobId, CHUNKS);
	}

	/** Whether the job has records not published yet. */
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean hasPending(UUID jobId) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject("select exists (select 1 from outbox where job_id = ?)",
				Boolean.class, jobId));
	}

	/** Adds a control record for the workers (skip the job's chunks). */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendControl(JobControl control) {
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, payload)
				values (?, ?, ?, ?, ?, ?)
				""", CONTROL, control.jobId().toString(), UUID.randomUUID().toString(), JobControl.TYPE,
				control.jobId(), EventCodec.encode(control));
		wakeRelayAfterCommit();
	}

	/** Adds a job event. */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendJobEvent(JobEvent event) {
		TraceContext trace = this.tracing.current();
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, job_id, payload, traceparent, tracestate)
				values (?, ?, ?, ?, ?, ?, ?, ?)
				""", JOB_EVENTS, event.jobId().toString(), event.id().toString(), JobEvent.cloudEventType(event.type()),
				event.jobId(), EventCodec.encode(event), traceparent(trace), tracestate(trace));
		wakeRelayAfterCommit();
	}

	/** Adds a replay of webhook deliveries, for the dispatcher that owns them. */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendWebhookReplay(WebhookReplayRequested replay) {
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, payload)
				values (?, ?, ?, ?, ?)
				""", WEBHOOK_COMMANDS, replay.key(), replay.id().toString(), WebhookReplayRequested.TYPE,
				EventCodec.encode(replay));
		wakeRelayAfterCommit();
	}

	/**
	 * Adds the notice that an endpoint was disabled, for the dispatcher to send to the
	 * tenant's endpoints that subscribed to it.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void appendEndpointDisabled(WebhookEndpointDisabledNotice notice) {
		this.jdbc.update("""
				insert into outbox (topic, record_key, event_id, event_type, payload)
				values (?, ?, ?, ?, ?)
				""", WEBHOOK_COMMANDS, notice.endpointId().toString(), notice.id().toString(),
				WebhookEndpointDisabledNotice.TYPE, EventCodec.encode(notice));
		wakeRelayAfterCommit();
	}

	private static String traceparent(TraceContext trace) {
		return (trace != null) ? trace.traceparent() : null;
	}

	private static String tracestate(TraceContext trace) {
		return (trace != null) ? trace.tracestate() : null;
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
