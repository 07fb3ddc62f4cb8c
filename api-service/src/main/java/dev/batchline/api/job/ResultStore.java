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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Chunk results in Postgres: one row per chunk (the primary key makes recording
 * idempotent), the items as the JSON array the worker produced, read back in input order
 * with their {@code custom_id}s.
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
		try (Stream<StoredChunk> chunks = chunksFrom(jobId, from, failuresOnly)) {
			var iterator = chunks.iterator();
			while (page.size() < limit && iterator.hasNext()) {
				for (JsonNode item : iterator.next().results()) {
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
		each(jobId, false, (item) -> {
			out.write(EventCodec.encode(item));
			out.write('\n');
		});
	}

	/**
	 * Hands every recorded item of a job (or only every failed one) to a visitor, in
	 * input order, one chunk in memory at a time.
	 */
	@Transactional(readOnly = true)
	void each(UUID jobId, boolean failuresOnly, JobManagement.ResultVisitor visitor) throws IOException {
		try (Stream<StoredChunk> chunks = chunksFrom(jobId, 0, failuresOnly)) {
			var iterator = chunks.iterator();
			while (iterator.hasNext()) {
				for (JsonNode item : iterator.next().results()) {
					if (!failuresOnly || item.hasNonNull("error")) {
						visitor.visit(item);
					}
				}
			}
		}
	}

	/**
	 * The job's chunk results from item {@code from} on, fetched a few rows at a time
	 * (the fetch size is this statement's own; it works inside the read-only
	 * transaction).
	 */
	private Stream<StoredChunk> chunksFrom(UUID jobId, long from, boolean failuresOnly) {
		// a running job's ids are still with its inputs; a finished one's were moved
		String sql = """
				select r.items, r.first_index, coalesce(k.custom_ids, c.custom_ids)
				from chunk_results r
				left join chunk_custom_ids k on k.job_id = r.job_id and k.chunk_no = r.chunk_no
				left join input_chunks c on c.job_id = r.job_id and c.chunk_no = r.chunk_no
				where r.job_id = ? and r.first_index + r.item_count > ?
				""" + (failuresOnly ? " and r.failed_count > 0" : "") + " order by r.chunk_no";
		return this.jdbc.queryForStream((connection) -> {
			PreparedStatement statement = connection.prepareStatement(sql);
			statement.setFetchSize(STREAM_FETCH_SIZE);
			statement.setObject(1, jobId);
			statement.setLong(2, from);
			return statement;
		}, (rs, n) -> new StoredChunk(rs.getBytes(1), rs.getLong(2), rs.getBytes(3)));
	}

	/**
	 * A chunk's results as stored, and its items' {@code custom_id}s.
	 *
	 * @param json the JSON array of its items' results
	 * @param firstIndex the job-wide index of its first item
	 * @param customIds the JSON array of its items' ids, or null when none has one
	 */
	private record StoredChunk(byte[] json, long firstIndex, byte[] customIds) {

		/**
		 * The items' results ({@code {index, output}} or {@code {index, error}}), each
		 * with its {@code custom_id} after its index when it has one.
		 */
		JsonNode results() {
			JsonNode items = EventCodec.tree(this.json);
			if (this.customIds == null) {
				return items;
			}
			JsonNode ids = EventCodec.tree(this.customIds);
			ArrayNode named = JsonNodeFactory.instance.arrayNode(items.size());
			for (JsonNode item : items) {
				JsonNode id = ids.get((int) (item.get("index").asLong() - this.firstIndex));
				if (id == null || id.isNull()) {
					named.add(item);
					continue;
				}
				ObjectNode copy = named.addObject();
				copy.set("index", item.get("index"));
				copy.set("custom_id", id);
				item.properties().forEach((field) -> copy.putIfAbsent(field.getKey(), field.getValue()));
			}
			return named;
		}

	}

}
