package dev.batchline.contracts;

import java.util.List;
import java.util.UUID;

/**
 * The results of one chunk, published by a worker to {@link Topics#results()} in the same
 * Kafka transaction as the consumed chunk's offset. There is one item per input item, in
 * input order; each has either an output or an error.
 *
 * @param jobId the job
 * @param chunk the chunk number
 * @param firstIndex index of the chunk's first item
 * @param model the model name
 * @param version the model version that produced the outputs
 * @param worker the worker instance that processed the chunk
 * @param items the item results, in input order (none when skipped)
 * @param skipped whether the worker skipped the chunk because its job was cancelled or
 * expired
 */
public record ChunkCompleted(UUID jobId, int chunk, long firstIndex, String model, String version, String worker,
		ItemResults items, boolean skipped) {

	/** A processed chunk. */
	public ChunkCompleted(UUID jobId, int chunk, long firstIndex, String model, String version, String worker,
			ItemResults items) {
		this(jobId, chunk, firstIndex, model, version, worker, items, false);
	}

	/** A processed chunk, from its decoded item results. */
	public ChunkCompleted(UUID jobId, int chunk, long firstIndex, String model, String version, String worker,
			List<ItemResult> items) {
		this(jobId, chunk, firstIndex, model, version, worker, ItemResults.of(items), false);
	}

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.chunk.completed";

	/** Number of items with an error. */
	public long failedCount() {
		return this.items.failed();
	}

}
