package dev.batchline.api.job;

import java.util.UUID;

import dev.batchline.api.outbox.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * A job's input chunks, released when the job ends. Nothing needs them after that: a
 * finished job ignores late results and dead letters, and the watchdog looks only at
 * unfinished jobs. A chunk still being worked on belongs to an unfinished job.
 */
@Component
class JobInputs {

	private final JdbcTemplate jdbc;

	private final Outbox outbox;

	private final Counter deleted;

	JobInputs(JdbcTemplate jdbc, Outbox outbox, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.outbox = outbox;
		this.deleted = RetentionMeters.rowsDeleted(meters, "input_chunks");
	}

	/**
	 * Deletes a finished job's input chunks (keeping their items' {@code custom_id}s),
	 * and its chunk records not published yet (a re-drive the job no longer waits for),
	 * in the caller's transaction.
	 * @return the bytes of the chunks deleted
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	long release(UUID jobId) {
		this.outbox.dropPendingChunks(jobId);
		// the items' ids stay as long as the results that name them
		this.jdbc.update("""
				insert into chunk_custom_ids (job_id, chunk_no, custom_ids)
				select job_id, chunk_no, custom_ids from input_chunks where job_id = ? and custom_ids is not null
				on conflict do nothing
				""", jobId);
		long[] deleted = this.jdbc.queryForObject("""
				with deleted as (delete from input_chunks where job_id = ? returning octet_length(instances) as bytes)
				select count(*), coalesce(sum(bytes), 0) from deleted
				""", (rs, n) -> new long[] { rs.getLong(1), rs.getLong(2) }, jobId);
		this.deleted.increment(deleted[0]);
		return deleted[1];
	}

}
