package dev.batchline.api.job;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.batchline.api.outbox.Outbox;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes sure no job stays unfinished for ever: a job without a recorded result for the
 * stall timeout, while nothing is queued before it (no worker or recorder lag) and none
 * of its records waits in the outbox, has its unanswered chunks published again; a chunk
 * past its last re-drive fails its items with {@link ItemError#CHUNK_LOST}.
 */
@Component
class Watchdog {

	private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

	private static final int SWEEP_BATCH = 100;

	private final JobRepository jobs;

	private final JobEndings endings;

	private final Outbox outbox;

	private final WorkerBacklog backlog;

	private final Topics topics;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final JobLifecycleProperties properties;

	private final Clock clock;

	private final Counter redriven;

	private final Counter lost;

	Watchdog(JobRepository jobs, JobEndings endings, Outbox outbox, WorkerBacklog backlog, Topics topics,
			JdbcTemplate jdbc, TransactionTemplate transactions, JobLifecycleProperties properties, Clock clock,
			MeterRegistry meters) {
		this.jobs = jobs;
		this.endings = endings;
		this.outbox = outbox;
		this.backlog = backlog;
		this.topics = topics;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
		this.clock = clock;
		this.redriven = Counter.builder("batchline.watchdog.redriven")
			.description("Chunks the watchdog published again because nobody answered them")
			.register(meters);
		this.lost = Counter.builder("batchline.watchdog.failed")
			.description("Chunks the watchdog failed after their last re-drive")
			.register(meters);
	}

	/**
	 * Looks at the stalled jobs, each in a transaction of its own.
	 * @return the number of chunks re-driven or failed
	 */
	int run() {
		if (anythingQueued()) {
			return 0;
		}
		Instant stalledSince = this.clock.instant().minus(this.properties.stallTimeout());
		List<UUID> stalled = this.jdbc.queryForList("""
				select j.id from jobs j
				where j.state in ('QUEUED', 'RUNNING', 'CANCELLING') and j.updated_at <= ?
				  and not exists (select 1 from outbox o where o.job_id = j.id)
				order by j.updated_at
				limit ?
				""", UUID.class, Timestamp.from(stalledSince), SWEEP_BATCH);
		int handled = 0;
		for (UUID id : stalled) {
			Integer count = this.transactions.execute((status) -> redrive(id, stalledSince));
			handled += (count != null) ? count : 0;
		}
		return handled;
	}

	/**
	 * Whether chunks or results wait in Kafka (or the lag cannot be read): then a job
	 * without progress is only waiting its turn.
	 */
	private boolean anythingQueued() {
		OptionalLong chunks = this.backlog.lag(this.properties.workerGroup(), this.topics.chunks());
		OptionalLong results = this.backlog.lag(ConsumerGroups.RECORDERS, this.topics.results());
		return chunks.isEmpty() || chunks.getAsLong() > 0 || results.isEmpty() || results.getAsLong() > 0;
	}

	/** Re-drives or fails one stalled job's unanswered chunks (the job is locked). */
	private int redrive(UUID jobId, Instant stalledSince) {
		Job job = this.jobs.findForUpdate(jobId).orElseThrow();
		boolean stillStalled = !job.getState().isTerminal() && !job.getUpdatedAt().isAfter(stalledSince)
				&& !this.outbox.hasPending(jobId);
		if (!stillStalled) {
			return 0;
		}
		Map<Boolean, List<Unanswered>> byExhausted = unanswered(jobId).stream()
			.collect(Collectors.partitioningBy((chunk) -> chunk.redrives() >= this.properties.maxRedrives()));
		for (Unanswered chunk : byExhausted.get(true)) {
			log.error("Job(id={}) chunk {}: no answer after {} re-drives, its items fail", jobId, chunk.number(),
					chunk.redrives());
			this.endings.failChunk(new ChunkKey(jobId, chunk.number()), ItemError.CHUNK_LOST,
					"no worker answered the chunk, even after " + chunk.redrives() + " re-drives");
			this.lost.increment();
		}
		List<Integer> again = byExhausted.get(false).stream().map(Unanswered::number).toList();
		if (!again.isEmpty()) {
			log.warn("Job(id={}): no progress since {} and no backlog; re-driving {} unanswered chunks", jobId,
					job.getUpdatedAt(), again.size());
			this.jdbc.batchUpdate("update input_chunks set redrives = redrives + 1 where job_id = ? and chunk_no = ?",
					again.stream().map((n) -> new Object[] { jobId, n }).toList());
			this.outbox.appendChunks(jobId, again);
			job.touch(this.clock.instant());
			this.redriven.increment(again.size());
		}
		return byExhausted.get(true).size() + again.size();
	}

	private List<Unanswered> unanswered(UUID jobId) {
		return this.jdbc.query("""
				select c.chunk_no, c.redrives from input_chunks c
				where c.job_id = ?
				  and not exists (select 1 from chunk_results r where r.job_id = c.job_id and r.chunk_no = c.chunk_no)
				order by c.chunk_no
				""", (rs, n) -> new Unanswered(rs.getInt(1), rs.getInt(2)), jobId);
	}

	private record Unanswered(int number, int redrives) {
	}

}
