package dev.batchline.api.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Tensors as JSON, for the front doors that speak in whole tensors (a batch of rows)
 * rather than in rows: splitting a batch into rows, and joining rows' outputs into a
 * batch. Rows are what {@link Inference} predicts.
 */
public final class Tensors {

	private Tensors() {
	}

	/**
	 * The values of a tensor in row-major order, from nested arrays (or a flat array, or
	 * one value).
	 */
	public static List<JsonNode> flatten(JsonNode tensor) {
		List<JsonNode> values = new ArrayList<>();
		flatten(tensor, values);
		return values;
	}

	private static void flatten(JsonNode node, List<JsonNode> values) {
		if (node.isArray()) {
			for (JsonNode element : node) {
				flatten(element, values);
			}
		}
		else {
			values.add(node);
		}
	}

	/**
	 * Nests flat row-major values into arrays of the given shape.
	 * @param values the values
	 * @param from the first value
	 * @param shape the shape (empty for one value)
	 * @return the tensor as nested arrays
	 */
	public static JsonNode nest(List<JsonNode> values, int from, long[] shape) {
		return nest(values, from, shape, 0);
	}

	private static JsonNode nest(List<JsonNode> values, int from, long[] shape, int depth) {
		if (depth == shape.length) {
			return values.get(from);
		}
		ArrayNode array = EventCodec.mapper().createArrayNode();
		int stride = (int) elements(shape, depth + 1);
		for (int i = 0; i < shape[depth]; i++) {
			array.add(nest(values, from + i * stride, shape, depth + 1));
		}
		return array;
	}

	/**
	 * The number of values of a shape from a dimension on.
	 * @throws ApiException {@code bad-request} for a negative dimension or an absurd size
	 */
	public static long elements(long[] shape, int from) {
		long count = 1;
		for (int d = from; d < shape.length; d++) {
			if (shape[d] < 0) {
				throw ApiException.badRequest("a shape has a negative dimension: " + Arrays.toString(shape));
			}
			count = Math.multiplyExact(count, shape[d]);
		}
		return count;
	}

	/** The shape of nested arrays, read along their first elements. */
	public static List<Long> shape(JsonNode tensor) {
		List<Long> shape = new ArrayList<>();
		for (JsonNode node = tensor; node.isArray(); node = (node.isEmpty() ? null : node.get(0))) {
			shape.add((long) node.size());
			if (node.isEmpty()) {
				break;
			}
		}
		return shape;
	}

	/**
	 * One row of every output of a prediction's rows, joined into one batch per output: a
	 * list of each row's value.
	 * @param outputs the rows' outputs ({@code {name: value}} each)
	 * @param name the output
	 * @return the batch, as an array of the rows' values
	 */
	public static ArrayNode batch(List<JsonNode> outputs, String name) {
		ArrayNode batch = EventCodec.mapper().createArrayNode();
		for (JsonNode output : outputs) {
			batch.add(output.get(name));
		}
		return batch;
	}

}
