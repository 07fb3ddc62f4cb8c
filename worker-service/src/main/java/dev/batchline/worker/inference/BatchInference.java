package dev.batchline.worker.inference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.model.ModelRepository.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * Runs items through a model in batches. Each item (TensorFlow Serving's REST
 * {@code instances} form) is checked against the signature first; a bad item gets an item
 * error and the others go on. Valid items with the same concrete shapes are stacked into
 * batches of at most {@code max-batch-size} rows, one predict call each, and every row's
 * outputs are split back into a JSON object of named outputs. If a whole batch fails, its
 * items are tried one by one so that only the item the model cannot take fails.
 */
@Component
public class BatchInference {

	private static final Logger log = LoggerFactory.getLogger(BatchInference.class);

	private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

	private final int maxBatchSize;

	private final MeterRegistry meters;

	private final DistributionSummary batchSizes;

	public BatchInference(WorkerProperties properties, MeterRegistry meters) {
		this.maxBatchSize = properties.maxBatchSize();
		this.meters = meters;
		this.batchSizes = DistributionSummary.builder("batchline.worker.batch.size")
			.description("Rows per predict call")
			.register(meters);
	}

	/**
	 * Predicts every item.
	 * @param model the model version
	 * @param items the items
	 * @param indices each item's index in its job (for the results)
	 * @return one result per item, in order
	 */
	public List<ItemResult> predict(ServedModel model, List<JsonNode> items, List<Long> indices) {
		ItemResult[] results = new ItemResult[items.size()];
		Map<String, List<Integer>> byShape = new LinkedHashMap<>();
		for (int i = 0; i < items.size(); i++) {
			Optional<ItemError> error = InstanceValidator.validate(items.get(i), model.signature());
			if (error.isPresent()) {
				results[i] = ItemResult.failure(indices.get(i), error.get());
			}
			else {
				byShape.computeIfAbsent(shapeKey(model, items.get(i)), (key) -> new ArrayList<>()).add(i);
			}
		}
		for (List<Integer> group : byShape.values()) {
			for (int from = 0; from < group.size(); from += this.maxBatchSize) {
				List<Integer> batch = group.subList(from, Math.min(group.size(), from + this.maxBatchSize));
				runBatch(model, items, indices, batch, results);
			}
		}
		count(model, results);
		return List.of(results);
	}

	private void runBatch(ServedModel model, List<JsonNode> items, List<Long> indices, List<Integer> batch,
			ItemResult[] results) {
		try {
			List<JsonNode> outputs = run(model, batch.stream().map(items::get).toList());
			for (int r = 0; r < batch.size(); r++) {
				int i = batch.get(r);
				results[i] = result(indices.get(i), outputs.get(r));
			}
		}
		catch (TranslateException | RuntimeException ex) {
			if (batch.size() == 1) {
				int i = batch.get(0);
				log.warn("Model {}:{} failed on item {}: {}", model.name(), model.version(), indices.get(i),
						ex.toString());
				results[i] = ItemResult.failure(indices.get(i),
						new ItemError(ItemError.MODEL_ERROR, "the model failed on this item: " + ex.getMessage()));
				return;
			}
			// find the item(s) the model cannot take; the others still get their outputs
			for (Integer i : batch) {
				runBatch(model, items, indices, List.of(i), results);
			}
		}
	}

	/** One predict call over a batch; returns one output object per row. */
	private List<JsonNode> run(ServedModel model, List<JsonNode> rows) throws TranslateException {
		Predictor<NDList, NDList> predictor = model.predictor();
		boolean single = model.signature().inputs().size() == 1;
		long start = System.nanoTime();
		try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			NDList inputs = new NDList();
			for (String name : model.inputOrder()) {
				TensorSpec spec = model.signature()
					.inputs()
					.stream()
					.filter((input) -> input.name().equals(name))
					.findFirst()
					.orElseThrow(() -> new IllegalStateException("Input " + name + " is not in the signature"));
				NDArray array = tensor(manager, spec,
						rows.stream().map((row) -> InstanceValidator.tensor(row, spec, single)).toList());
				array.setName(name);
				inputs.add(array);
			}
			NDList outputs = predictor.predict(inputs);
			List<JsonNode> perRow = split(model, outputs, rows.size());
			this.batchSizes.record(rows.size());
			Timer.builder("batchline.worker.predict")
				.description("Time of one predict call")
				.tag("model", model.name())
				.tag("version", model.version())
				.register(this.meters)
				.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
			return perRow;
		}
	}

	private static NDArray tensor(NDManager manager, TensorSpec spec, List<JsonNode> values) {
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

	private static void fill(JsonNode value, java.util.function.Consumer<JsonNode> sink) {
		if (value.isArray()) {
			value.forEach((element) -> fill(element, sink));
		}
		else {
			sink.accept(value);
		}
	}

	private static long[] concreteShape(JsonNode value, int rank) {
		long[] shape = new long[Math.max(rank, 0)];
		JsonNode node = value;
		for (int d = 0; d < shape.length; d++) {
			shape[d] = node.size();
			node = node.get(0);
		}
		return shape;
	}

	/** Items stack into one tensor only when every input has the same concrete shape. */
	private static String shapeKey(ServedModel model, JsonNode item) {
		boolean single = model.signature().inputs().size() == 1;
		StringBuilder key = new StringBuilder();
		for (TensorSpec spec : model.signature().inputs()) {
			key.append(java.util.Arrays
				.toString(concreteShape(InstanceValidator.tensor(item, spec, single), spec.shape().size() - 1)));
		}
		return key.toString();
	}

	private static List<JsonNode> split(ServedModel model, NDList outputs, int rows) {
		List<ObjectNode> perRow = new ArrayList<>(rows);
		for (int r = 0; r < rows; r++) {
			perRow.add(JSON.objectNode());
		}
		List<String> names = model.signature().outputs().stream().map(TensorSpec::name).sorted().toList();
		for (int o = 0; o < outputs.size(); o++) {
			NDArray output = outputs.get(o);
			String name = (output.getName() != null && !output.getName().isBlank()) ? output.getName() : names.get(o);
			long[] shape = output.getShape().getShape();
			if (shape.length == 0 || shape[0] != rows) {
				throw new IllegalStateException(
						"Output '" + name + "' has shape " + output.getShape() + ", expected " + rows + " rows first");
			}
			long[] rowShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
			int perItem = Math.toIntExact(output.getShape().size() / rows);
			Number[] values = numbers(output);
			for (int r = 0; r < rows; r++) {
				int[] at = { r * perItem };
				perRow.get(r).set(name, json(values, at, rowShape, 0));
			}
		}
		return new ArrayList<>(perRow);
	}

	private static JsonNode json(Number[] values, int[] at, long[] shape, int depth) {
		if (depth == shape.length) {
			Number value = values[at[0]++];
			if (value instanceof Float f) {
				return JSON.numberNode(f);
			}
			if (value instanceof Double d) {
				return JSON.numberNode(d);
			}
			if (value instanceof Long l) {
				return JSON.numberNode(l);
			}
			return JSON.numberNode(value.intValue());
		}
		ArrayNode array = JSON.arrayNode();
		for (long i = 0; i < shape[depth]; i++) {
			array.add(json(values, at, shape, depth + 1));
		}
		return array;
	}

	private static Number[] numbers(NDArray array) {
		DataType type = array.getDataType();
		return switch (type) {
			case FLOAT32 -> boxed(array.toFloatArray());
			case FLOAT64 -> java.util.Arrays.stream(array.toDoubleArray()).boxed().toArray(Number[]::new);
			case INT64 -> java.util.Arrays.stream(array.toLongArray()).boxed().toArray(Number[]::new);
			case INT32 -> java.util.Arrays.stream(array.toIntArray()).boxed().toArray(Number[]::new);
			case UINT8, INT8 -> boxed(array.toType(DataType.INT32, false).toIntArray());
			default -> throw new IllegalStateException("Output type " + type + " cannot be returned as JSON");
		};
	}

	private static Number[] boxed(float[] values) {
		Number[] out = new Number[values.length];
		for (int i = 0; i < values.length; i++) {
			out[i] = values[i];
		}
		return out;
	}

	private static Number[] boxed(int[] values) {
		return java.util.Arrays.stream(values).boxed().toArray(Number[]::new);
	}

	/**
	 * An output with NaN or infinity cannot be written as JSON: it becomes an item error.
	 */
	private static ItemResult result(long index, JsonNode output) {
		if (!finite(output)) {
			return ItemResult.failure(index,
					new ItemError(ItemError.MODEL_ERROR, "the model produced a non-finite number for this item"));
		}
		return ItemResult.success(index, output);
	}

	private static boolean finite(JsonNode node) {
		if (node.isContainer()) {
			for (JsonNode child : node) {
				if (!finite(child)) {
					return false;
				}
			}
			return true;
		}
		return !node.isNumber() || Double.isFinite(node.doubleValue());
	}

	private void count(ServedModel model, ItemResult[] results) {
		long failed = java.util.Arrays.stream(results).filter(ItemResult::failed).count();
		this.meters
			.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome", "success")
			.increment(results.length - failed);
		if (failed > 0) {
			this.meters
				.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome",
						"error")
				.increment(failed);
		}
	}

}
