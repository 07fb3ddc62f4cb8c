package dev.batchline.api.job;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Chunk results in Postgres: one row per chunk (the primary key makes recording
 * idempotent), the items as the JSON array the worker produced, read back in input order.
 */
@Component
class ResultStore {

	private static final int STREAM_FETCH_SIZE = 16;

	private final JdbcTemplate jdbc;

	ResultStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Stores a chunk result unless one is already stored.
	 * @return whether it was new
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	boolean insert(ChunkCompleted result, long failed, Instant now) {
		return this.jdbc.update("""
				insert into chunk_results (job_id, chunk_no, first_index, item_count, failed_count, items, worker,
				                           recorded_at, skipped)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?)
				on conflict (job_id, chunk_no) do nothing
				""", result.jobId(), result.chunk(), result.firstIndex(), result.items().size(), (int) failed,
				result.items().json(), result.worker(), Timestamp.from(now), result.skipped()) == 1;
	}

	/**
	 * One page of item results in input order, starting at item {@code from}.
	 * @param failuresOnly only the failed items ({@code {index, error}})
	 * @return the items ({@code {index, output}} or {@code {index, error}})
	 */
	List<JsonNode> page(UUID jobId, long from, int limit, boolean failuresOnly) {
		List<JsonNode> page = new ArrayList<>(Math.min(limit, 10_000));
		try (Stream<byte[]> chunks = chunksFrom(jobId, from, failuresOnly)) {
			var iterator = chunks.iterator();
			while (page.size() < limit && iterator.hasNext()) {
				for (JsonNode item : EventCodec.tree(iterator.next())) {
					if (item.get("index").asLong() >= from && page.size() < limit
							&& (!failuresOnly || item.hasNonNull("error"))) {
						page.add(item);
					}
				}
			}
		}
		return page;
	}

	/**
	 * Writes every recorded item of a job as NDJSON, in input order, one chunk in memory
	 * at a time.
	 */
	@Transactional(readOnly = true)
	void writeNdjson(UUID jobId, OutputStream out) throws IOException {
		try (Stream<byte[]> chunks = chunksFrom(jobId, 0, false)) {
			var iterator = chunks.iterator();
			while (iterator.hasNext()) {
				for (JsonNode item : EventCodec.tree(iterator.next())) {
					out.write(EventCodec.encode(item));
					out.write('\n');
				}
				out.flush();
			}
		}
	}

	/**
	 * The job's chunk results from item {@code from} on, fetched a few rows at a time
	 * (the fetch size is this statement's own; it works inside the read-only
	 * transaction).
	 */
	private Stream<byte[]> chunksFrom(UUID jobId, long from, boolean failuresOnly) {
		String sql = "select items from chunk_results where job_id = ? and first_index + item_count > ?"
				+ (failuresOnly ? " and failed_count > 0" : "") + " order by chunk_no";
		return this.jdbc.queryForStream((connection) -> {
			PreparedStatement statement = connection.prepareStatement(sql);
			statement.setFetchSize(STREAM_FETCH_SIZE);
			statement.setObject(1, jobId);
			statement.setLong(2, from);
			return statement;
		}, (rs, n) -> rs.getBytes(1));
	}

}
