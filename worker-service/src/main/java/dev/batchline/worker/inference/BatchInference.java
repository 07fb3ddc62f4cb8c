package dev.batchline.worker.inference;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.model.ModelRepository.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

/**
 * Runs items through a model in batches. Each item (TensorFlow Serving's REST
 * {@code instances} form) is checked against the signature first; a bad item gets an item
 * error and the others go on. Valid items with the same concrete shapes are stacked into
 * batches of at most {@code max-batch-size} rows across chunk boundaries, one predict
 * call each, and every row's outputs are written straight into its chunk's result JSON.
 * Tensor and dense chunks (see {@link ChunkItems}) that fit the model skip the per-item
 * trees: their rows are copied into the input tensor. If a whole batch fails, its items
 * are tried one by one so that only the item the model cannot take fails.
 */
@Component
// stopped before the models: no predictor is closed under a running predict call
@DependsOn("modelRepository")
public class BatchInference implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(BatchInference.class);

	private final int maxBatchSize;

	private final MeterRegistry meters;

	private final DistributionSummary batchSizes;

	/** One direct buffer per inference thread for the input rows of a batch. */
	private final ThreadLocal<ByteBuffer> inputBuffers = new ThreadLocal<>();

	/** Where predict calls run: shared by the consumer threads. */
	private final InferenceThreads threads;

	public BatchInference(WorkerProperties properties, MeterRegistry meters) {
		this.maxBatchSize = properties.maxBatchSize();
		this.threads = new InferenceThreads(properties.inferenceThreads());
		this.meters = meters;
		this.batchSizes = DistributionSummary.builder("batchline.worker.batch.size")
			.description("Rows per predict call")
			.register(meters);
	}

	/**
	 * Predicts every item of the chunks together, on one of the worker's inference
	 * threads (the caller waits).
	 * @param model the model version
	 * @param chunks the chunks; tensor and dense ones must be {@link ChunkItems#readyFor
	 * ready for} the model
	 * @return each chunk's item results, in order
	 */
	public List<ItemResults> predict(ServedModel model, List<ChunkItems> chunks) {
		return this.threads.call(() -> predictHere(model, chunks));
	}

	/**
	 * Runs a model on made-up items, one batch of {@code max-batch-size} rows of its
	 * single numeric input (unknown dimensions taken as 1), again and again until
	 * {@code duration} has passed (at least once). Nothing of it is counted in the
	 * metrics. It runs on an inference thread, as real batches do.
	 * @throws IllegalStateException when the model fails on the made-up items
	 * @param model the model version
	 * @param duration how long
	 * @return the predict calls made, or 0 when the model's input cannot be made up
	 */
	public int warmUp(ServedModel model, Duration duration) {
		return this.threads.call(() -> warmUpHere(model, duration));
	}

	/** Stops the inference threads once their work is done. */
	@Override
	public void close() {
		this.threads.close();
	}

	private int warmUpHere(ServedModel model, Duration duration) {
		if (!ChunkTensors.encodable(model.signature())) {
			return 0;
		}
		TensorSpec spec = model.signature().inputs().get(0);
		ChunkTensors.ElementType type = ChunkTensors.ElementType.of(spec.dtype());
		int[] shape = new int[Math.max(1, spec.shape().size())];
		shape[0] = this.maxBatchSize;
		int perItem = 1;
		for (int d = 1; d < shape.length; d++) {
			long dim = spec.shape().get(d);
			shape[d] = (dim > 0) ? Math.toIntExact(dim) : 1;
			perItem *= shape[d];
		}
		int count = this.maxBatchSize * perItem;
		ByteBuffer values = ByteBuffer.allocate(count * type.size()).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < count; i++) {
			type.put(values, i * type.size(), (i * 7) % 10);
		}
		ChunkItems items = ChunkItems
			.tensor(new ChunkTensors.Tensor(new UUID(0, 0), 0, 0, model.name(), model.version(), type, shape, values));
		// one batch of made-up rows, straight to the predict call: no grouping, no
		// metrics, no search for a bad item
		List<Integer> batch = IntStream.range(0, this.maxBatchSize).boxed().toList();
		long end = System.nanoTime() + duration.toNanos();
		int calls = 0;
		do {
			Rows rows = new Rows(List.of(items));
			try (ResultWriter writer = new ResultWriter()) {
				run(model, rows, batch, writer, false);
			}
			catch (TranslateException | RuntimeException ex) {
				throw new IllegalStateException(ex.getMessage(), ex);
			}
			ItemResults results = rows.results().get(0);
			if (results.failed() > 0) {
				throw new IllegalStateException(
						results.failed() + " of " + results.size() + " made-up items failed, e.g. "
								+ results.toList()
									.stream()
									.filter((item) -> item.error() != null)
									.findFirst()
									.map((item) -> item.error().message())
									.orElse("?"));
			}
			calls++;
		}
		while (System.nanoTime() < end);
		return calls;
	}

	private List<ItemResults> predictHere(ServedModel model, List<ChunkItems> chunks) {
		Rows rows = new Rows(chunks);
		Map<String, List<Integer>> byShape = new LinkedHashMap<>();
		// a tensor's or dense chunk's rows share one shape, so its key is made once per
		// chunk; such rows of several chunks stack into one batch
		String[] rowKeys = new String[chunks.size()];
		for (int r = 0; r < rows.size(); r++) {
			int c = rows.chunk[r];
			ChunkItems chunk = chunks.get(c);
			if (chunk.rows()) {
				if (rowKeys[c] == null) {
					rowKeys[c] = "rows" + Arrays.toString(chunk.itemShape());
				}
				byShape.computeIfAbsent(rowKeys[c], (key) -> new ArrayList<>()).add(r);
				continue;
			}
			JsonNode item = chunk.trees().get(rows.local[r]);
			Optional<ItemError> error = InstanceValidator.validate(item, model.signature());
			if (error.isPresent()) {
				rows.fail(r, error.get());
			}
			else {
				byShape.computeIfAbsent(shapeKey(model, item), (key) -> new ArrayList<>()).add(r);
			}
		}
		try (ResultWriter writer = new ResultWriter()) {
			for (List<Integer> group : byShape.values()) {
				for (int from = 0; from < group.size(); from += this.maxBatchSize) {
					List<Integer> batch = group.subList(from, Math.min(group.size(), from + this.maxBatchSize));
					runBatch(model, rows, batch, writer);
				}
			}
		}
		count(model, rows);
		return rows.results();
	}

	private void runBatch(ServedModel model, Rows rows, List<Integer> batch, ResultWriter writer) {
		try {
			run(model, rows, batch, writer, true);
		}
		catch (TranslateException | RuntimeException ex) {
			if (batch.size() == 1) {
				int r = batch.get(0);
				log.warn("Model {}:{} failed on item {}: {}", model.name(), model.version(), rows.index(r),
						ex.toString());
				rows.fail(r, new ItemError(ItemError.MODEL_ERROR, "the model failed on this item: " + ex.getMessage()));
				return;
			}
			// find the item(s) the model cannot take; the others still get their outputs
			for (Integer r : batch) {
				runBatch(model, rows, List.of(r), writer);
			}
		}
	}

	/**
	 * One predict call over a batch; writes every row's result, and when {@code measured}
	 * (not a warm-up) counts it in the metrics.
	 */
	private void run(ServedModel model, Rows rows, List<Integer> batch, ResultWriter writer, boolean measured)
			throws TranslateException {
		Predictor<NDList, NDList> predictor = model.predictor();
		long start = System.nanoTime();
		try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			NDList inputs = new NDList();
			ChunkItems first = rows.chunks.get(rows.chunk[batch.get(0)]);
			if (first.rows()) {
				String name = model.inputOrder().get(0);
				NDArray array = rowsTensor(manager, model.signature().inputs().get(0), rows, batch);
				array.setName(name);
				inputs.add(array);
			}
			else {
				boolean single = model.signature().inputs().size() == 1;
				List<JsonNode> items = batch.stream()
					.map((r) -> rows.chunks.get(rows.chunk[r]).trees().get(rows.local[r]))
					.toList();
				for (String name : model.inputOrder()) {
					TensorSpec spec = model.signature()
						.inputs()
						.stream()
						.filter((input) -> input.name().equals(name))
						.findFirst()
						.orElseThrow(() -> new IllegalStateException("Input " + name + " is not in the signature"));
					NDArray array = tensor(manager, spec,
							items.stream().map((item) -> InstanceValidator.tensor(item, spec, single)).toList());
					array.setName(name);
					inputs.add(array);
				}
			}
			NDList outputs = predictor.predict(inputs);
			Outputs named = new Outputs(model, outputs, batch.size());
			for (int b = 0; b < batch.size(); b++) {
				int r = batch.get(b);
				if (named.finite(b)) {
					rows.succeed(r, writer.success(rows.index(r), named, b));
				}
				else {
					rows.fail(r, new ItemError(ItemError.MODEL_ERROR,
							"the model produced a non-finite number for this item"));
				}
			}
			if (!measured) {
				return;
			}
			this.batchSizes.record(batch.size());
			Timer.builder("batchline.worker.predict")
				.description("Time of one batch: its input tensor, the predict call, its results written")
				.tag("model", model.name())
				.tag("version", model.version())
				.register(this.meters)
				.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * The batch's rows of tensor and dense chunks as one tensor of the input's type. The
	 * rows are written into a direct buffer of this thread's (TensorFlow copies it into
	 * the tensor): a tensor chunk's rows byte for byte, a dense chunk's converted from
	 * {@code double} as {@link #tensor} converts JSON numbers.
	 */
	private NDArray rowsTensor(NDManager manager, TensorSpec spec, Rows rows, List<Integer> batch) {
		ChunkItems first = rows.chunks.get(rows.chunk[batch.get(0)]);
		int[] itemShape = first.itemShape();
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
		ByteBuffer buffer = inputBuffer(rowBytes * batch.size());
		for (int b = 0; b < batch.size(); b++) {
			int r = batch.get(b);
			ChunkItems chunk = rows.chunks.get(rows.chunk[r]);
			int at = b * rowBytes;
			if (chunk.tensor() != null) {
				buffer.put(at, chunk.tensor().values(), rows.local[r] * rowBytes, rowBytes);
				continue;
			}
			double[] source = chunk.dense().values();
			int from = rows.local[r] * perItem;
			for (int i = 0; i < perItem; i++) {
				type.put(buffer, at + i * type.size(), source[from + i]);
			}
		}
		return manager.create(buffer, new Shape(shape), DataType.fromSafetensors(type.name()));
	}

	/** This thread's input buffer, cleared and limited to {@code bytes}. */
	private ByteBuffer inputBuffer(int bytes) {
		ByteBuffer buffer = this.inputBuffers.get();
		if (buffer == null || buffer.capacity() < bytes) {
			buffer = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
			this.inputBuffers.set(buffer);
		}
		buffer.clear().limit(bytes);
		return buffer;
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
			key.append(Arrays
				.toString(concreteShape(InstanceValidator.tensor(item, spec, single), spec.shape().size() - 1)));
		}
		return key.toString();
	}

	private void count(ServedModel model, Rows rows) {
		long failed = rows.failedCount();
		this.meters
			.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome", "success")
			.increment(rows.size() - failed);
		if (failed > 0) {
			this.meters
				.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome",
						"error")
				.increment(failed);
		}
	}

	/** The rows of all chunks of one predict, and each row's encoded result. */
	private static final class Rows {

		private final List<ChunkItems> chunks;

		/** The chunk of each row. */
		private final int[] chunk;

		/** The row's position within its chunk. */
		private final int[] local;

		private final byte[][] results;

		private final boolean[] failed;

		Rows(List<ChunkItems> chunks) {
			this.chunks = chunks;
			int total = 0;
			for (ChunkItems items : chunks) {
				total += items.size();
			}
			this.chunk = new int[total];
			this.local = new int[total];
			this.results = new byte[total][];
			this.failed = new boolean[total];
			int r = 0;
			for (int c = 0; c < chunks.size(); c++) {
				for (int i = 0; i < chunks.get(c).size(); i++) {
					this.chunk[r] = c;
					this.local[r] = i;
					r++;
				}
			}
		}

		int size() {
			return this.chunk.length;
		}

		long index(int r) {
			return this.chunks.get(this.chunk[r]).firstIndex() + this.local[r];
		}

		void succeed(int r, byte[] json) {
			this.results[r] = json;
			this.failed[r] = false;
		}

		void fail(int r, ItemError error) {
			this.results[r] = EventCodec.encode(ItemResult.failure(index(r), error));
			this.failed[r] = true;
		}

		long failedCount() {
			long count = 0;
			for (boolean f : this.failed) {
				count += f ? 1 : 0;
			}
			return count;
		}

		List<ItemResults> results() {
			List<ItemResults> perChunk = new ArrayList<>(this.chunks.size());
			int r = 0;
			for (ChunkItems items : this.chunks) {
				List<byte[]> json = Arrays.asList(this.results).subList(r, r + items.size());
				int failures = 0;
				for (int i = r; i < r + items.size(); i++) {
					failures += this.failed[i] ? 1 : 0;
				}
				perChunk.add(ItemResults.join(json, failures));
				r += items.size();
			}
			return perChunk;
		}

	}

	/**
	 * A batch's outputs by name, each read once into a primitive array; row {@code b}'s
	 * values of output {@code o} start at {@code b × perItem[o]}.
	 */
	private static final class Outputs {

		private final String[] names;

		private final long[][] rowShapes;

		private final int[] perItem;

		private final Object[] values;

		Outputs(ServedModel model, NDList outputs, int rows) {
			List<String> sorted = model.signature().outputs().stream().map(TensorSpec::name).sorted().toList();
			this.names = new String[outputs.size()];
			this.rowShapes = new long[outputs.size()][];
			this.perItem = new int[outputs.size()];
			this.values = new Object[outputs.size()];
			for (int o = 0; o < outputs.size(); o++) {
				NDArray output = outputs.get(o);
				String name = (output.getName() != null && !output.getName().isBlank()) ? output.getName()
						: sorted.get(o);
				long[] shape = output.getShape().getShape();
				if (shape.length == 0 || shape[0] != rows) {
					throw new IllegalStateException("Output '" + name + "' has shape " + output.getShape()
							+ ", expected " + rows + " rows first");
				}
				this.names[o] = name;
				this.rowShapes[o] = Arrays.copyOfRange(shape, 1, shape.length);
				this.perItem[o] = Math.toIntExact(output.getShape().size() / rows);
				this.values[o] = switch (output.getDataType()) {
					case FLOAT32 -> output.toFloatArray();
					case FLOAT64 -> output.toDoubleArray();
					case INT64 -> output.toLongArray();
					case INT32 -> output.toIntArray();
					case UINT8, INT8 -> output.toType(DataType.INT32, false).toIntArray();
					default -> throw new IllegalStateException(
							"Output type " + output.getDataType() + " cannot be returned as JSON");
				};
			}
		}

		/** Whether every value of row {@code b} can be written as JSON. */
		boolean finite(int b) {
			for (int o = 0; o < this.values.length; o++) {
				int from = b * this.perItem[o];
				int to = from + this.perItem[o];
				if (this.values[o] instanceof float[] f) {
					for (int i = from; i < to; i++) {
						if (!Float.isFinite(f[i])) {
							return false;
						}
					}
				}
				else if (this.values[o] instanceof double[] d) {
					for (int i = from; i < to; i++) {
						if (!Double.isFinite(d[i])) {
							return false;
						}
					}
				}
			}
			return true;
		}

		/** Writes row {@code b}'s value of output {@code o}. */
		void write(JsonGenerator json, int o, int b) {
			int[] at = { b * this.perItem[o] };
			write(json, o, at, 0);
		}

		private void write(JsonGenerator json, int o, int[] at, int depth) {
			long[] shape = this.rowShapes[o];
			if (depth == shape.length) {
				int i = at[0]++;
				switch (this.values[o]) {
					case float[] f -> json.writeNumber(f[i]);
					case double[] d -> json.writeNumber(d[i]);
					case long[] l -> json.writeNumber(l[i]);
					case int[] n -> json.writeNumber(n[i]);
					default -> throw new IllegalStateException("Unexpected output array");
				}
				return;
			}
			json.writeStartArray();
			for (long i = 0; i < shape[depth]; i++) {
				write(json, o, at, depth + 1);
			}
			json.writeEndArray();
		}

	}

	/**
	 * Writes one item's result, {@code {"index": …, "output": {name: value, …}}}, as
	 * {@link ItemResult} would be written, with one generator for the whole predict.
	 */
	private static final class ResultWriter implements AutoCloseable {

		private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

		private final JsonGenerator json = EventCodec.mapper()
			.writer()
			.withRootValueSeparator((String) null)
			.createGenerator(this.buffer);

		byte[] success(long index, Outputs outputs, int b) {
			this.buffer.reset();
			this.json.writeStartObject();
			this.json.writeNumberProperty("index", index);
			this.json.writeName("output");
			this.json.writeStartObject();
			for (int o = 0; o < outputs.names.length; o++) {
				this.json.writeName(outputs.names[o]);
				outputs.write(this.json, o, b);
			}
			this.json.writeEndObject();
			this.json.writeEndObject();
			this.json.flush();
			return this.buffer.toByteArray();
		}

		@Override
		public void close() {
			this.json.close();
		}

	}

}
