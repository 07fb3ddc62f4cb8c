package dev.batchline.contracts;

import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A chunk of a job's input items, published to {@link Topics#chunks()}.
 *
 * @param jobId the job
 * @param chunk the chunk number, from 0
 * @param firstIndex the index (in the job's input order) of the first item of this chunk
 * @param model the model name
 * @param version the model version the job was accepted for
 * @param instances the items, each one TensorFlow Serving "instances" value
 * @param cache whether the workers may answer the items from their result cache (the
 * job's {@code cache}); a record without the field means {@code false}
 */
public record ChunkSubmitted(UUID jobId, int chunk, long firstIndex, String model, String version,
		List<JsonNode> instances, Boolean cache) {

	/** Reads a missing {@code cache} (a record older than the field) as false. */
	public ChunkSubmitted {
		cache = Boolean.TRUE.equals(cache);
	}

	/** A chunk whose items are never answered from a cache. */
	public ChunkSubmitted(UUID jobId, int chunk, long firstIndex, String model, String version,
			List<JsonNode> instances) {
		this(jobId, chunk, firstIndex, model, version, instances, false);
	}

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.chunk.submitted";

}
