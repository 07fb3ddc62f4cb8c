package dev.batchline.contracts;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.databind.JsonNode;

/**
 * Checks one item of TensorFlow Serving's REST {@code instances} against a model
 * signature. For a model with one input an item is the tensor value itself (e.g.
 * {@code [5.1, 3.5, 1.4,
 * 0.2]}) or an object naming it ({@code {"features": [...]}}); for several inputs it is
 * an object of named tensors. The item's tensor has the input's shape without the leading
 * batch dimension; {@code -1} dimensions take any length. The API checks items at intake
 * and the workers again before predicting, with this one class.
 */
public final class InstanceValidator {

	/** The largest finite float16. */
	private static final double FLOAT16_MAX = 65_504;

	private InstanceValidator() {
	}

	/**
	 * The named input tensors of an item, or an error.
	 * @param item the item
	 * @param signature the model's signature
	 * @return the error, empty when the item fits the signature
	 */
	public static Optional<ItemError> validate(JsonNode item, ModelSignature signature) {
		List<TensorSpec> inputs = signature.inputs();
		if (item == null || item.isNull()) {
			return Optional.of(new ItemError(ItemError.BAD_SHAPE, "item is null"));
		}
		if (inputs.size() == 1 && !item.isObject()) {
			return validateTensor(item, inputs.get(0));
		}
		if (!item.isObject()) {
			return Optional
				.of(new ItemError(ItemError.BAD_SHAPE, "item must be an object with the inputs " + names(inputs)));
		}
		for (TensorSpec input : inputs) {
			JsonNode value = item.get(input.name());
			if (value == null) {
				return Optional.of(new ItemError(ItemError.BAD_SHAPE, "missing input '" + input.name() + "'"));
			}
			Optional<ItemError> error = validateTensor(value, input);
			if (error.isPresent()) {
				return error;
			}
		}
		for (Map.Entry<String, JsonNode> field : item.properties()) {
			if (inputs.stream().noneMatch((input) -> input.name().equals(field.getKey()))) {
				return Optional.of(new ItemError(ItemError.BAD_SHAPE,
						"unknown input '" + field.getKey() + "', expected " + names(inputs)));
			}
		}
		return Optional.empty();
	}

	/**
	 * The tensor of the given input within a valid item.
	 * @param item a valid item
	 * @param input the input
	 * @param single whether the model has exactly one input
	 * @return the tensor value
	 */
	public static JsonNode tensor(JsonNode item, TensorSpec input, boolean single) {
		return (single && !item.isObject()) ? item : item.get(input.name());
	}

	private static Optional<ItemError> validateTensor(JsonNode value, TensorSpec input) {
		List<Long> shape = input.shape();
		List<Long> itemShape = shape.isEmpty() ? shape : shape.subList(1, shape.size());
		int[] lengths = new int[itemShape.size()];
		java.util.Arrays.fill(lengths, -1);
		return check(value, itemShape, 0, input, new int[itemShape.size()], lengths);
	}

	/**
	 * Checks {@code value} at {@code path[0..depth)}; the path is only spelled out for an
	 * error, as items are checked by the million. {@code lengths} holds the length first
	 * seen at each depth, as TensorFlow tensors are rectangular: a free dimension still
	 * has one length throughout.
	 */
	private static Optional<ItemError> check(JsonNode value, List<Long> shape, int depth, TensorSpec input, int[] path,
			int[] lengths) {
		if (depth == shape.size()) {
			return checkScalar(value, input, path);
		}
		if (!value.isArray()) {
			return Optional.of(new ItemError(ItemError.BAD_SHAPE, "input '" + input.name() + "'" + where(path, depth)
					+ " must be an array (expected shape " + shape + " per item)"));
		}
		long expected = shape.get(depth);
		if (expected >= 0 && value.size() != expected) {
			return Optional.of(new ItemError(ItemError.BAD_SHAPE, "input '" + input.name() + "'" + where(path, depth)
					+ " has " + value.size() + " values, expected " + expected + " (shape " + shape + " per item)"));
		}
		if (value.isEmpty()) {
			return Optional.of(new ItemError(ItemError.BAD_SHAPE,
					"input '" + input.name() + "'" + where(path, depth) + " is empty"));
		}
		if (lengths[depth] >= 0 && value.size() != lengths[depth]) {
			return Optional.of(new ItemError(ItemError.BAD_SHAPE, "input '" + input.name() + "'" + where(path, depth)
					+ " has " + value.size() + " values where its siblings have " + lengths[depth] + " (ragged)"));
		}
		lengths[depth] = value.size();
		for (int i = 0; i < value.size(); i++) {
			JsonNode element = value.get(i);
			path[depth] = i;
			Optional<ItemError> error = check(element, shape, depth + 1, input, path, lengths);
			if (error.isPresent()) {
				return error;
			}
		}
		return Optional.empty();
	}

	private static Optional<ItemError> checkScalar(JsonNode value, TensorSpec input, int[] path) {
		String dtype = input.dtype();
		boolean ok = switch (dtype) {
			case "float64" -> value.isNumber() && Double.isFinite(value.asDouble());
			case "float32", "bfloat16" -> value.isNumber() && Math.abs(value.asDouble()) <= Float.MAX_VALUE;
			case "float16" -> value.isNumber() && Math.abs(value.asDouble()) <= FLOAT16_MAX;
			case "int8" -> inRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE);
			case "int16" -> inRange(value, Short.MIN_VALUE, Short.MAX_VALUE);
			case "int32" -> inRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
			case "int64" -> value.isIntegralNumber() && value.canConvertToLong();
			case "uint8" -> inRange(value, 0, 255);
			case "uint16" -> inRange(value, 0, 65_535);
			case "uint32" -> inRange(value, 0, 4_294_967_295L);
			case "uint64" -> value.isIntegralNumber() && value.bigIntegerValue().signum() >= 0
					&& value.bigIntegerValue().bitLength() <= Long.SIZE;
			case "bool" -> value.isBoolean();
			case "string" -> value.isString();
			default -> value.isValueNode();
		};
		if (ok) {
			return Optional.empty();
		}
		return Optional.of(new ItemError(ItemError.BAD_VALUE,
				"input '" + input.name() + "'" + where(path, path.length) + " must be " + describe(dtype) + ", got "
						+ (value.isContainer() ? "an array or object" : value.toString())));
	}

	private static String where(int[] path, int depth) {
		StringBuilder where = new StringBuilder();
		for (int i = 0; i < depth; i++) {
			where.append('[').append(path[i]).append(']');
		}
		return where.toString();
	}

	private static boolean inRange(JsonNode value, long min, long max) {
		return value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= min
				&& value.longValue() <= max;
	}

	private static String describe(String dtype) {
		if (dtype.startsWith("float") || dtype.equals("bfloat16")) {
			return "a finite number within " + dtype + "'s range";
		}
		if (dtype.contains("int")) {
			return "an integer within " + dtype + "'s range";
		}
		return "a " + dtype;
	}

	private static String names(List<TensorSpec> inputs) {
		return inputs.stream().map(TensorSpec::name).toList().toString();
	}

}
