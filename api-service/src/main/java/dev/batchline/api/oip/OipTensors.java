package dev.batchline.api.oip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.batchline.api.inference.Tensors;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol's tensors ({@code name}, {@code datatype}, {@code shape},
 * {@code data}) to and from rows: the request's input tensors are split along their first
 * dimension into one row per item, and the rows' outputs joined back into one tensor per
 * output, {@code data} flat in row-major order.
 */
public final class OipTensors {

	private OipTensors() {
	}

	/** The protocol's datatype of a signature's element type. */
	static String datatype(String dtype) {
		return switch (dtype) {
			case "float32" -> "FP32";
			case "float64" -> "FP64";
			case "float16" -> "FP16";
			case "bfloat16" -> "BF16";
			case "bool" -> "BOOL";
			case "string" -> "BYTES";
			default -> dtype.toUpperCase(Locale.ROOT);
		};
	}

	/**
	 * Splits the request's input tensors into rows, one per element of their first
	 * dimension: a model with one input gets its row as it is, others an object of named
	 * rows (TensorFlow Serving's "instances").
	 * @throws ApiException {@code bad-request} for inputs that do not match the signature
	 */
	public static List<JsonNode> rows(JsonNode inputs, ModelSignature signature) {
		if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
			throw ApiException.badRequest("'inputs' must be a non-empty array of tensors");
		}
		Map<String, JsonNode> byName = new LinkedHashMap<>();
		for (JsonNode input : inputs) {
			String name = text(input, "name");
			if (byName.put(name, input) != null) {
				throw ApiException.badRequest("input '" + name + "' is given twice");
			}
		}
		int batch = -1;
		Map<String, List<JsonNode>> perRow = new LinkedHashMap<>();
		Map<String, long[]> rowShapes = new LinkedHashMap<>();
		for (TensorSpec spec : signature.inputs()) {
			JsonNode input = byName.remove(spec.name());
			if (input == null) {
				throw ApiException.badRequest("missing input '" + spec.name() + "'; the model's inputs are "
						+ signature.inputs().stream().map(TensorSpec::name).toList());
			}
			String datatype = text(input, "datatype");
			if (!datatype.equals(datatype(spec.dtype()))) {
				throw ApiException.badRequest("input '" + spec.name() + "' has datatype " + datatype + ", expected "
						+ datatype(spec.dtype()));
			}
			long[] shape = shape(input, spec.name());
			if (shape.length == 0) {
				throw ApiException.badRequest("input '" + spec.name() + "' has no batch dimension: its shape is []");
			}
			if (batch >= 0 && shape[0] != batch) {
				throw ApiException.badRequest("the inputs have different batch sizes (first dimensions)");
			}
			batch = (int) Math.min(Integer.MAX_VALUE, shape[0]);
			JsonNode data = input.get("data");
			if (data == null || data.isNull()) {
				throw ApiException.badRequest("input '" + spec.name() + "' has no 'data'");
			}
			List<JsonNode> values = Tensors.flatten(data);
			if (values.size() != Tensors.elements(shape, 0)) {
				throw ApiException.badRequest("input '" + spec.name() + "' has " + values.size() + " values, its shape "
						+ java.util.Arrays.toString(shape) + " holds " + Tensors.elements(shape, 0));
			}
			perRow.put(spec.name(), values);
			rowShapes.put(spec.name(), java.util.Arrays.copyOfRange(shape, 1, shape.length));
		}
		if (!byName.isEmpty()) {
			throw ApiException.badRequest("unknown input(s) " + byName.keySet() + "; the model's inputs are "
					+ signature.inputs().stream().map(TensorSpec::name).toList());
		}
		List<JsonNode> rows = new ArrayList<>(Math.max(0, batch));
		for (int r = 0; r < batch; r++) {
			if (signature.inputs().size() == 1) {
				String name = signature.inputs().get(0).name();
				rows.add(row(perRow.get(name), rowShapes.get(name), r));
				continue;
			}
			ObjectNode row = EventCodec.mapper().createObjectNode();
			for (String name : perRow.keySet()) {
				row.set(name, row(perRow.get(name), rowShapes.get(name), r));
			}
			rows.add(row);
		}
		return rows;
	}

	private static JsonNode row(List<JsonNode> values, long[] rowShape, int r) {
		int size = (int) Tensors.elements(rowShape, 0);
		return Tensors.nest(values, r * size, rowShape);
	}

	/**
	 * The output tensors of a prediction, those asked for or all of them.
	 * @param rows the rows' results, every one a success
	 * @param signature the model's signature
	 * @param requested the request's {@code outputs} (names), or null
	 * @return the response's {@code outputs}
	 */
	public static ArrayNode outputs(List<ItemResult> rows, ModelSignature signature, JsonNode requested) {
		List<TensorSpec> wanted = new ArrayList<>();
		if (requested == null || requested.isNull()) {
			wanted.addAll(signature.outputs());
		}
		else {
			if (!requested.isArray()) {
				throw ApiException.badRequest("'outputs' must be an array of {\"name\": …}");
			}
			for (JsonNode output : requested) {
				String name = text(output, "name");
				wanted.add(signature.outputs()
					.stream()
					.filter((spec) -> spec.name().equals(name))
					.findFirst()
					.orElseThrow(() -> ApiException.badRequest("unknown output '" + name + "'; the model's outputs are "
							+ signature.outputs().stream().map(TensorSpec::name).toList())));
			}
		}
		List<JsonNode> outputs = rows.stream().map(ItemResult::output).toList();
		ArrayNode answer = EventCodec.mapper().createArrayNode();
		for (TensorSpec spec : wanted) {
			ArrayNode batch = Tensors.batch(outputs, spec.name());
			ObjectNode tensor = answer.addObject();
			tensor.put("name", spec.name());
			tensor.put("datatype", datatype(spec.dtype()));
			ArrayNode shape = tensor.putArray("shape");
			Tensors.shape(batch).forEach(shape::add);
			ArrayNode data = tensor.putArray("data");
			Tensors.flatten(batch).forEach(data::add);
		}
		return answer;
	}

	private static long[] shape(JsonNode input, String name) {
		JsonNode shape = input.get("shape");
		if (shape == null || !shape.isArray()) {
			throw ApiException.badRequest("input '" + name + "' has no 'shape' array");
		}
		long[] dims = new long[shape.size()];
		for (int d = 0; d < dims.length; d++) {
			if (!shape.get(d).isIntegralNumber() || shape.get(d).asLong() < 0) {
				throw ApiException.badRequest("input '" + name + "' has a shape that is not of whole numbers >= 0");
			}
			dims[d] = shape.get(d).asLong();
		}
		return dims;
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = (node != null && node.isObject()) ? node.get(field) : null;
		if (value == null || !value.isString()) {
			throw ApiException.badRequest("a tensor misses '" + field + "' (a string)");
		}
		return value.asString();
	}

}
