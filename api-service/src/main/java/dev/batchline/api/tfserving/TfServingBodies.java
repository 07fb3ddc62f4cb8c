package dev.batchline.api.tfserving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.batchline.api.inference.Tensors;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bodies of TensorFlow Serving's {@code :predict}: a request's rows, in the row
 * ({@code instances}) or the columnar ({@code inputs}) format, and the answer of their
 * outputs in the request's format. Shared by the REST door and the OpenAI-Batch lines
 * that name it.
 */
public final class TfServingBodies {

	/** The one signature a model serves. */
	public static final String SIGNATURE = "serving_default";

	private TfServingBodies() {
	}

	/**
	 * The rows of a {@code :predict} request, each one TensorFlow Serving "instances"
	 * value.
	 * @throws ApiException {@code bad-request} for a body that is not such a request
	 */
	public static List<JsonNode> rows(JsonNode request, ModelSignature signature) {
		JsonNode name = request.get("signature_name");
		if (name != null && !(name.isString() && SIGNATURE.equals(name.asString()))) {
			throw ApiException.badRequest("the only signature is '" + SIGNATURE + "'");
		}
		JsonNode instances = request.get("instances");
		JsonNode inputs = request.get("inputs");
		if ((instances == null) == (inputs == null)) {
			throw ApiException.badRequest("give either 'instances' (row format) or 'inputs' (columnar format)");
		}
		return (instances != null) ? rows(instances) : columns(inputs, signature);
	}

	/**
	 * The answer of a {@code :predict} request: {@code predictions} for the row format,
	 * {@code outputs} for the columnar one.
	 * @param rowFormat whether the request was in the row format ({@code instances})
	 * @param values each row's output, an object of the model's outputs by name
	 */
	public static ObjectNode answer(boolean rowFormat, List<JsonNode> values, ModelSignature signature) {
		List<TensorSpec> outputs = signature.outputs();
		ObjectNode answer = EventCodec.mapper().createObjectNode();
		if (rowFormat) {
			ArrayNode predictions = answer.putArray("predictions");
			for (JsonNode output : values) {
				predictions.add((outputs.size() == 1) ? output.get(outputs.get(0).name()) : output);
			}
		}
		else if (outputs.size() == 1) {
			answer.set("outputs", Tensors.batch(values, outputs.get(0).name()));
		}
		else {
			ObjectNode named = answer.putObject("outputs");
			outputs.forEach((spec) -> named.set(spec.name(), Tensors.batch(values, spec.name())));
		}
		return answer;
	}

	private static List<JsonNode> rows(JsonNode instances) {
		if (!instances.isArray()) {
			throw ApiException.badRequest("'instances' must be an array, one element per instance");
		}
		List<JsonNode> rows = new ArrayList<>(instances.size());
		instances.forEach(rows::add);
		return rows;
	}

	/**
	 * Splits the columnar {@code inputs} along their first dimension: one batched value
	 * for a model of one input, else an object of batched values by input name.
	 */
	private static List<JsonNode> columns(JsonNode inputs, ModelSignature signature) {
		boolean named = inputs.isObject();
		if (!named && signature.inputs().size() != 1) {
			throw ApiException.badRequest("'inputs' must be an object of the inputs "
					+ signature.inputs().stream().map(TensorSpec::name).toList());
		}
		Map<String, JsonNode> columns = new LinkedHashMap<>();
		if (named) {
			inputs.properties().forEach((entry) -> columns.put(entry.getKey(), entry.getValue()));
		}
		else {
			columns.put(signature.inputs().get(0).name(), inputs);
		}
		int batch = -1;
		for (Map.Entry<String, JsonNode> column : columns.entrySet()) {
			if (!column.getValue().isArray()) {
				throw ApiException.badRequest("input '" + column.getKey() + "' must be an array, one element per "
						+ "instance (its first dimension is the batch)");
			}
			if (batch >= 0 && column.getValue().size() != batch) {
				throw ApiException.badRequest("the inputs have different batch sizes (first dimensions)");
			}
			batch = column.getValue().size();
		}
		List<JsonNode> rows = new ArrayList<>(Math.max(0, batch));
		for (int r = 0; r < batch; r++) {
			if (!named) {
				rows.add(inputs.get(r));
				continue;
			}
			ObjectNode row = EventCodec.mapper().createObjectNode();
			for (Map.Entry<String, JsonNode> column : columns.entrySet()) {
				row.set(column.getKey(), column.getValue().get(r));
			}
			rows.add(row);
		}
		return rows;
	}

}
