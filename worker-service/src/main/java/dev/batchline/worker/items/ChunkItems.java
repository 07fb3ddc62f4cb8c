package dev.batchline.worker.items;

import java.nio.ByteOrder;
import java.util.List;

import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import tools.jackson.databind.JsonNode;

/**
 * The items of one chunk as the worker predicts them: one tensor as it came in the record
 * ({@link ChunkTensors}), dense ({@link DenseInstances}: one array of numbers read from a
 * JSON record, the common JSON case), or JSON trees, each validated on its own.
 *
 * @param firstIndex the job-wide index of the first item
 * @param size the number of items
 * @param tensor the items as a tensor, or {@code null}
 * @param dense the items as one array, or {@code null}
 * @param trees the items as trees, or {@code null}
 * @param cache whether rows may be answered from the result cache (their chunk's
 * {@code cache} flag)
 */
public record ChunkItems(long firstIndex, int size, ChunkTensors.Tensor tensor, DenseInstances dense,
		List<JsonNode> trees, boolean cache) {

	/** Items read as trees, never cached. */
	public static ChunkItems trees(long firstIndex, List<JsonNode> trees) {
		return new ChunkItems(firstIndex, trees.size(), null, null, trees, false);
	}

	/** Items read densely, never cached. */
	public static ChunkItems dense(long firstIndex, DenseInstances dense) {
		return new ChunkItems(firstIndex, dense.count(), null, dense, null, false);
	}

	/** Items that came as a tensor, cached as the tensor's chunk says. */
	public static ChunkItems tensor(ChunkTensors.Tensor tensor) {
		return new ChunkItems(tensor.firstIndex(), tensor.count(), tensor, null, null, tensor.cache());
	}

	/** The same items, cached or not. */
	public ChunkItems cached(boolean cache) {
		return new ChunkItems(this.firstIndex, this.size, this.tensor, this.dense, this.trees, cache);
	}

	/**
	 * Whether the worker can predict these items as they are: trees (checked item by
	 * item), or a tensor or dense items that are valid inputs of the model as a whole.
	 * Otherwise read them as trees, which says which item is wrong.
	 * @param signature the model's signature
	 * @return whether the items can be predicted as they are
	 */
	public boolean readyFor(ModelSignature signature) {
		if (this.tensor != null) {
			// the record's values are little-endian; the input tensor is filled in the
			// platform's order
			return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && this.tensor.fits(signature);
		}
		return this.dense == null || this.dense.fits(signature);
	}

	/**
	 * Whether the items are one array of numbers (a tensor, or dense), whose rows are
	 * copied into an input tensor as they are.
	 */
	public boolean rows() {
		return this.tensor != null || this.dense != null;
	}

	/** Each item's shape, for {@link #rows()} items. */
	public int[] itemShape() {
		return (this.tensor != null) ? this.tensor.itemShape() : this.dense.shape();
	}

}
