package dev.batchline.worker.tensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.items.Rows;

/**
 * A batch's rows of tensor and dense chunks as one tensor of the input's type. The rows
 * are written into a direct buffer of the calling thread's (TensorFlow copies it into the
 * tensor), so that no call allocates and zeroes a buffer of its own: a tensor chunk's
 * rows byte for byte, a dense chunk's converted from {@code double} as
 * {@link JsonTensors} converts JSON numbers.
 */
final class RowTensors {

	/** One direct buffer per inference thread for the input rows of a batch. */
	private final ThreadLocal<ByteBuffer> buffers = new ThreadLocal<>();

	NDArray tensor(NDManager manager, TensorSpec spec, Rows rows, List<Integer> batch) {
		int[] itemShape = rows.itemsOf(batch.get(0)).itemShape();
		long[] shape = new long[itemShape.length + 1];
		shape[0] = batch.size();
		int perItem = 1;
		for (int d = 0; d < itemShape.length; d++) {
			shape[d + 1] = itemShape[d];
			perItem *= itemShape[d];
		}
		ChunkTensors.ElementType type = ChunkTensors.ElementType.of(spec.dtype());
		if (type == null) {
			throw new IllegalArgumentException(
					"input '" + spec.name() + "' has element type " + spec.dtype() + ", which is not read densely");
		}
		int rowBytes = perItem * type.size();
		ByteBuffer buffer = buffer(rowBytes * batch.size());
		for (int b = 0; b < batch.size(); b++) {
			int r = batch.get(b);
			ChunkItems chunk = rows.itemsOf(r);
			int at = b * rowBytes;
			if (chunk.tensor() != null) {
				buffer.put(at, chunk.tensor().values(), rows.local(r) * rowBytes, rowBytes);
				continue;
			}
			double[] source = chunk.dense().values();
			int from = rows.local(r) * perItem;
			for (int i = 0; i < perItem; i++) {
				type.put(buffer, at + i * type.size(), source[from + i]);
			}
		}
		return manager.create(buffer, new Shape(shape), DataType.fromSafetensors(type.name()));
	}

	/** This thread's buffer, cleared and limited to {@code bytes}. */
	private ByteBuffer buffer(int bytes) {
		ByteBuffer buffer = this.buffers.get();
		if (buffer == null || buffer.capacity() < bytes) {
			buffer = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
			this.buffers.set(buffer);
		}
		buffer.clear().limit(bytes);
		return buffer;
	}

}
