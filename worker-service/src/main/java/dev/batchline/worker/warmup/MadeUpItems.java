package dev.batchline.worker.warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.model.ServedModel;

/**
 * Items made up for a model's warm-up: one batch of rows of its single numeric input
 * (unknown dimensions taken as 1), as a tensor chunk, so that the warm-up runs the same
 * path as the tensor and dense chunks nearly every job sends.
 */
final class MadeUpItems {

	private MadeUpItems() {
	}

	/**
	 * A batch of made-up items for the model.
	 * @param model the model version
	 * @param rows how many rows
	 * @return the items, or empty when the model's input cannot be made up
	 */
	static Optional<ChunkItems> of(ServedModel model, int rows) {
		if (!ChunkTensors.encodable(model.signature())) {
			return Optional.empty();
		}
		TensorSpec spec = model.signature().inputs().get(0);
		ChunkTensors.ElementType type = ChunkTensors.ElementType.of(spec.dtype());
		int[] shape = new int[Math.max(1, spec.shape().size())];
		shape[0] = rows;
		int perItem = 1;
		for (int d = 1; d < shape.length; d++) {
			long dim = spec.shape().get(d);
			shape[d] = (dim > 0) ? Math.toIntExact(dim) : 1;
			perItem *= shape[d];
		}
		int count = rows * perItem;
		ByteBuffer values = ByteBuffer.allocate(count * type.size()).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < count; i++) {
			type.put(values, i * type.size(), (i * 7) % 10);
		}
		return Optional.of(ChunkItems.tensor(new ChunkTensors.Tensor(new UUID(0, 0), 0, 0, model.name(),
				model.version(), type, shape, values, false)));
	}

}
