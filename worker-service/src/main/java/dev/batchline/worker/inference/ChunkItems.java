package dev.batchline.worker.inference;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The items of one chunk as the worker predicts them: either dense, a rectangular array
 * of numbers read straight from the record into one {@code double[]} (the common case:
 * every item a bare tensor of one shape), or as JSON trees, each validated on its own.
 *
 * @param firstIndex the job-wide index of the first item
 * @param size the number of items
 * @param dense the items as one array, or {@code null}
 * @param trees the items as trees, or {@code null}
 */
public record ChunkItems(long firstIndex, int size, Dense dense, List<JsonNode> trees) {

	/** Items read as trees. */
	public static ChunkItems trees(long firstIndex, List<JsonNode> trees) {
		return new ChunkItems(firstIndex, trees.size(), null, trees);
	}

	/** Items read densely. */
	public static ChunkItems dense(long firstIndex, Dense dense) {
		return new ChunkItems(firstIndex, dense.count(), dense, null);
	}

	/**
	 * Items of one shape, their numbers in row-major order.
	 *
	 * @param count the number of items
	 * @param shape each item's shape (empty for scalar items)
	 * @param values {@code count × product(shape)} numbers
	 * @param integral whether every number was written as an integer
	 */
	public record Dense(int count, int[] shape, double[] values, boolean integral) {

		/** Numbers per item. */
		public int perItem() {
			int perItem = 1;
			for (int dim : this.shape) {
				perItem *= dim;
			}
			return perItem;
		}

	}

}
