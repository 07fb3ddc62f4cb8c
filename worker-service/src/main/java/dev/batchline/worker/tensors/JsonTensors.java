package dev.batchline.worker.tensors;

import java.util.List;
import java.util.function.Consumer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.databind.JsonNode;

/**
 * One input tensor from the JSON values of a batch's items (TensorFlow Serving's REST
 * {@code instances} form), already checked against the signature: the values are read in
 * order into a primitive array of the input's element type.
 */
final class JsonTensors {

	private JsonTensors() {
	}

	static NDArray tensor(NDManager manager, TensorSpec spec, List<JsonNode> values) {
		long[] itemShape = concreteShape(values.get(0), spec.shape().size() - 1);
		long perItem = 1;
		for (long dim : itemShape) {
			perItem *= dim;
		}
		long[] shape = new long[itemShape.length + 1];
		shape[0] = values.size();
		System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
		int total = Math.toIntExact(perItem * values.size());
		switch (spec.dtype()) {
			case "float32" -> {
				float[] data = new float[total];
				int[] at = { 0 };
				values.forEach((value) -> fill(value, (node) -> data[at[0]++] = node.floatValue()));
				return manager.create(data, new Shape(shape));
			}
			case "float64" -> {
				double[] data = new double[total];
				int[] at = { 0 };
				values.forEach((value) -> fill(value, (node) -> data[at[0]++] = node.doubleValue()));
				return manager.create(data, new Shape(shape));
			}
			case "int32" -> {
				int[] data = new int[total];
				int[] at = { 0 };
				values.forEach((value) -> fill(value, (node) -> data[at[0]++] = node.intValue()));
				return manager.create(data, new Shape(shape));
			}
			case "int64" -> {
				long[] data = new long[total];
				int[] at = { 0 };
				values.forEach((value) -> fill(value, (node) -> data[at[0]++] = node.longValue()));
				return manager.create(data, new Shape(shape));
			}
			default -> throw new IllegalArgumentException(
					"input '" + spec.name() + "' has element type " + spec.dtype() + ", which the worker cannot feed");
		}
	}

	/**
	 * The shape of a value of the given rank, read from its first elements (the value is
	 * valid, so rectangular).
	 */
	static long[] concreteShape(JsonNode value, int rank) {
		long[] shape = new long[Math.max(rank, 0)];
		JsonNode node = value;
		for (int d = 0; d < shape.length; d++) {
			shape[d] = node.size();
			node = node.get(0);
		}
		return shape;
	}

	private static void fill(JsonNode value, Consumer<JsonNode> sink) {
		if (value.isArray()) {
			value.forEach((element) -> fill(element, sink));
		}
		else {
			sink.accept(value);
		}
	}

}
