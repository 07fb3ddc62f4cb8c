package dev.batchline.worker.inference;

import java.util.List;

import dev.batchline.contracts.DenseInstances;
import tools.jackson.databind.JsonNode;

/**
 * The items of one chunk as the worker predicts them: either dense
 * ({@link DenseInstances}: one array of numbers read straight from the record, the common
 * case) or as JSON trees, each validated on its own.
 *
 * @param firstIndex the job-wide index of the first item
 * @param size the number of items
 * @param dense the items as one array, or {@code null}
 * @param trees the items as trees, or {@code null}
 */
public record ChunkItems(long firstIndex, int size, DenseInstances dense, List<JsonNode> trees) {

	/** Items read as trees. */
	public static ChunkItems trees(long firstIndex, List<JsonNode> trees) {
		return new ChunkItems(firstIndex, trees.size(), null, trees);
	}

	/** Items read densely. */
	public static ChunkItems dense(long firstIndex, DenseInstances dense) {
		return new ChunkItems(firstIndex, dense.count(), dense, null);
	}

}
