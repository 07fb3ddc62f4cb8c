package dev.batchline.contracts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The compact encoding of a {@link ChunkSubmitted} record: its items as one tensor in the
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> format, so that a
 * worker copies the numbers into its input tensor instead of parsing them. The layout is
 * safetensors' own: an unsigned 64-bit little-endian header length, a JSON header (padded
 * with spaces to a multiple of 8 bytes), then the values, little-endian and row-major.
 * The header holds one tensor, {@value #TENSOR}, of shape {@code [items, …item shape]}
 * and the element type of the model's input, and the chunk's fields as
 * {@code __metadata__} strings ({@code job_id}, {@code chunk}, {@code first_index},
 * {@code model}, {@code version}, {@code cache}: {@code "true"} or {@code "false"},
 * absent in older records: {@code false}), so any safetensors reader can open a record.
 *
 * <p>
 * The values are those a worker feeds from the same items read densely from JSON (each
 * number read as a double, then converted to the input's type), so both encodings predict
 * the same results. Records carry {@link #CONTENT_TYPE} as their CloudEvents
 * {@code datacontenttype}.
 */
public final class ChunkTensors {

	/** The {@code datacontenttype} of a chunk record encoded this way. */
	public static final String CONTENT_TYPE = "application/vnd.batchline.chunk+safetensors";

	/** The name of the items' tensor in the header. */
	public static final String TENSOR = "instances";

	/** Longest header read; a chunk's is about 200 bytes. */
	private static final int MAX_HEADER = 64 * 1024;

	private ChunkTensors() {
	}

	/**
	 * Whether chunks for this model can be encoded as a tensor: it has one input, of a
	 * type with a safetensors element type.
	 * @param signature the model's signature
	 * @return whether {@link #encode} can be used for its chunks
	 */
	public static boolean encodable(ModelSignature signature) {
		return signature.inputs().size() == 1 && ElementType.of(signature.inputs().get(0).dtype()) != null;
	}

	/**
	 * The bytes of values a chunk's tensor would hold (its header adds ~250).
	 * @param items the items
	 * @param signature the model's signature, {@link #encodable}
	 * @return the data bytes
	 */
	public static long dataBytes(DenseInstances items, ModelSignature signature) {
		return (long) items.count() * items.perItem() * ElementType.of(signature.inputs().get(0).dtype()).size;
	}

	/**
	 * Encodes a chunk whose items were read densely.
	 * @param chunk the chunk's fields (its {@code instances} are not read)
	 * @param items the items, which must {@link DenseInstances#fits fit} the model
	 * @param signature the model's signature, {@link #encodable}
	 * @return the record's data
	 */
	public static byte[] encode(ChunkSubmitted chunk, DenseInstances items, ModelSignature signature) {
		byte[] data = encodeIfFits(chunk, items, signature);
		if (data == null) {
			throw new IllegalArgumentException("the items do not fit model " + chunk.model() + ":" + chunk.version());
		}
		return data;
	}

	/**
	 * Encodes a chunk whose items were read densely, when they fit the model (checked
	 * here, once: it reads every value).
	 * @param chunk the chunk's fields (its {@code instances} are not read)
	 * @param items the items
	 * @param signature the model's signature, {@link #encodable}
	 * @return the record's data, or null when the items do not fit
	 */
	public static byte[] encodeIfFits(ChunkSubmitted chunk, DenseInstances items, ModelSignature signature) {
		ElementType type = ElementType.of(signature.inputs().get(0).dtype());
		if (type == null || !items.fits(signature)) {
			return null;
		}
		int[] itemShape = items.shape();
		long[] shape = new long[itemShape.length + 1];
		shape[0] = items.count();
		for (int d = 0; d < itemShape.length; d++) {
			shape[d + 1] = itemShape[d];
		}
		int values = items.count() * items.perItem();
		int dataBytes = Math.toIntExact(dataBytes(items, signature));
		ObjectNode header = JsonNodeFactory.instance.objectNode();
		ObjectNode metadata = header.putObject("__metadata__");
		metadata.put("job_id", chunk.jobId().toString());
		metadata.put("chunk", Integer.toString(chunk.chunk()));
		metadata.put("first_index", Long.toString(chunk.firstIndex()));
		metadata.put("model", chunk.model());
		metadata.put("version", chunk.version());
		metadata.put("cache", Boolean.toString(chunk.cache()));
		ObjectNode tensor = header.putObject(TENSOR);
		tensor.put("dtype", type.name());
		ArrayNode shapeNode = tensor.putArray("shape");
		for (long dim : shape) {
			shapeNode.add(dim);
		}
		tensor.putArray("data_offsets").add(0).add(dataBytes);
		byte[] json = EventCodec.encode(header);
		int padded = (json.length + 7) / 8 * 8;
		ByteBuffer out = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
		out.putLong(padded);
		out.put(json);
		for (int i = json.length; i < padded; i++) {
			out.put((byte) ' ');
		}
		double[] source = items.values();
		int start = out.position();
		for (int i = 0; i < values; i++) {
			type.put(out, start + i * type.size, source[i]);
		}
		return out.array();
	}

	/**
	 * Reads a chunk record's data, checking every length and offset first.
	 * @param data the record's data
	 * @return the chunk
	 * @throws IllegalArgumentException when the data is not such a chunk
	 */
	public static Tensor decode(byte[] data) {
		if (data == null || data.length < 8) {
			throw new IllegalArgumentException("a safetensors chunk has at least 8 bytes");
		}
		ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
		long headerLength = buffer.getLong();
		if (headerLength < 2 || headerLength > Math.min(MAX_HEADER, data.length - 8)) {
			throw new IllegalArgumentException("header length " + headerLength + " does not fit the record");
		}
		JsonNode header;
		try {
			header = EventCodec.tree(Arrays.copyOfRange(data, 8, 8 + (int) headerLength));
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("the header is not JSON: " + ex.getOriginalMessage(), ex);
		}
		JsonNode metadata = header.path("__metadata__");
		JsonNode tensor = header.path(TENSOR);
		if (!tensor.isObject() || !metadata.isObject()) {
			throw new IllegalArgumentException("the header has no '" + TENSOR + "' tensor or no __metadata__");
		}
		ElementType type = ElementType.named(tensor.path("dtype").asString(""));
		if (type == null) {
			throw new IllegalArgumentException("unsupported dtype " + tensor.path("dtype"));
		}
		JsonNode shapeNode = tensor.path("shape");
		if (!shapeNode.isArray() || shapeNode.isEmpty()) {
			throw new IllegalArgumentException("the tensor's shape must start with the number of items");
		}
		int[] shape = new int[shapeNode.size()];
		long values = 1;
		for (int d = 0; d < shape.length; d++) {
			long dim = shapeNode.get(d).asLong(-1);
			if (!shapeNode.get(d).isIntegralNumber() || dim < 1 || dim > Integer.MAX_VALUE) {
				throw new IllegalArgumentException("bad shape " + shapeNode);
			}
			shape[d] = (int) dim;
			values = Math.multiplyExact(values, dim);
		}
		long dataBytes = Math.multiplyExact(values, type.size);
		JsonNode offsets = tensor.path("data_offsets");
		long dataStart = 8 + headerLength;
		if (!offsets.isArray() || offsets.size() != 2 || offsets.get(0).asLong(-1) != 0
				|| offsets.get(1).asLong(-1) != dataBytes || dataStart + dataBytes != data.length) {
			throw new IllegalArgumentException("data_offsets " + offsets + " do not match shape "
					+ Arrays.toString(shape) + " of " + type + " in " + (data.length - dataStart) + " bytes");
		}
		try {
			UUID jobId = UUID.fromString(metadata.path("job_id").asString());
			int chunk = Integer.parseInt(metadata.path("chunk").asString());
			long firstIndex = Long.parseLong(metadata.path("first_index").asString());
			String model = metadata.path("model").asString(null);
			String version = metadata.path("version").asString(null);
			boolean cache = "true".equals(metadata.path("cache").asString(null));
			if (model == null) {
				throw new IllegalArgumentException("no model");
			}
			ByteBuffer slice = ByteBuffer.wrap(data, (int) dataStart, (int) dataBytes)
				.slice()
				.asReadOnlyBuffer()
				.order(ByteOrder.LITTLE_ENDIAN);
			return new Tensor(jobId, chunk, firstIndex, model, version, type, shape, slice, cache);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException(
					"the __metadata__ misses or garbles job_id, chunk, first_index or model: " + metadata, ex);
		}
	}

	/**
	 * Reads a chunk record in either encoding, with its items as JSON values (for tools
	 * and tests; workers read tensors as they are).
	 * @param contentType the record's {@code datacontenttype}
	 * @param data the record's data
	 * @return the chunk
	 */
	public static ChunkSubmitted readSubmitted(String contentType, byte[] data) {
		return CONTENT_TYPE.equals(contentType) ? decode(data).toSubmitted()
				: EventCodec.decode(data, ChunkSubmitted.class);
	}

	/**
	 * The element types a chunk's tensor can have: the model input types read densely.
	 */
	public enum ElementType {

		/** float32. */
		F32("float32", 4),
		/** float64. */
		F64("float64", 8),
		/** int32. */
		I32("int32", 4),
		/** int64. */
		I64("int64", 8);

		private static final Map<String, ElementType> BY_DTYPE = Arrays.stream(values())
			.collect(Collectors.toUnmodifiableMap((type) -> type.dtype, (type) -> type));

		private final String dtype;

		private final int size;

		ElementType(String dtype, int size) {
			this.dtype = dtype;
			this.size = size;
		}

		/** The type of a signature's {@code dtype}, or null. */
		public static ElementType of(String dtype) {
			return BY_DTYPE.get(dtype);
		}

		/** The type with a safetensors name ({@code F32}, …), or null. */
		static ElementType named(String name) {
			for (ElementType type : values()) {
				if (type.name().equals(name)) {
					return type;
				}
			}
			return null;
		}

		/**
		 * Writes a number as an element of this type at a byte index (an absolute put, in
		 * the buffer's byte order), converted as the workers convert JSON numbers: a
		 * narrowing cast of the double.
		 * @param buffer the buffer
		 * @param index the byte index
		 * @param value the number
		 */
		public void put(ByteBuffer buffer, int index, double value) {
			switch (this) {
				case F32 -> buffer.putFloat(index, (float) value);
				case F64 -> buffer.putDouble(index, value);
				case I32 -> buffer.putInt(index, (int) value);
				default -> buffer.putLong(index, (long) value);
			}
		}

		/** The signature's name of the type, e.g. {@code float32}. */
		public String dtype() {
			return this.dtype;
		}

		/** Bytes per element. */
		public int size() {
			return this.size;
		}

	}

	/**
	 * A decoded chunk.
	 *
	 * @param jobId the job
	 * @param chunk the chunk number
	 * @param firstIndex the job-wide index of its first item
	 * @param model the model name
	 * @param version the model version
	 * @param type the element type
	 * @param shape {@code [items, …item shape]}
	 * @param values the values, little-endian, row-major (a read-only view of the record)
	 * @param cache whether the workers may answer the items from their result cache
	 */
	public record Tensor(UUID jobId, int chunk, long firstIndex, String model, String version, ElementType type,
			int[] shape, ByteBuffer values, boolean cache) {

		/** The number of items. */
		public int count() {
			return this.shape[0];
		}

		/** Values per item. */
		public int perItem() {
			int perItem = 1;
			for (int d = 1; d < this.shape.length; d++) {
				perItem *= this.shape[d];
			}
			return perItem;
		}

		/** Each item's shape. */
		public int[] itemShape() {
			return Arrays.copyOfRange(this.shape, 1, this.shape.length);
		}

		/**
		 * Whether the items are valid inputs of a model as they are: one input of this
		 * element type and of the items' shape (what {@link DenseInstances#fits} said
		 * when the chunk was encoded, for the model the job was accepted for).
		 * @param signature the model's signature
		 * @return whether they fit
		 */
		public boolean fits(ModelSignature signature) {
			if (signature.inputs().size() != 1) {
				return false;
			}
			TensorSpec spec = signature.inputs().get(0);
			if (!spec.dtype().equals(this.type.dtype) || spec.shape().size() != this.shape.length) {
				return false;
			}
			for (int d = 1; d < this.shape.length; d++) {
				long expected = spec.shape().get(d);
				if (expected >= 0 && expected != this.shape[d]) {
					return false;
				}
			}
			return true;
		}

		/** The chunk with its items as JSON values, as the JSON encoding carries them. */
		public ChunkSubmitted toSubmitted() {
			List<JsonNode> items = new ArrayList<>(count());
			int perItem = perItem();
			int[] itemShape = itemShape();
			for (int i = 0; i < count(); i++) {
				int[] at = { i * perItem };
				items.add(value(itemShape, 0, at));
			}
			return new ChunkSubmitted(this.jobId, this.chunk, this.firstIndex, this.model, this.version, items,
					this.cache);
		}

		private JsonNode value(int[] itemShape, int depth, int[] at) {
			JsonNodeFactory nodes = JsonNodeFactory.instance;
			if (depth == itemShape.length) {
				int i = at[0]++;
				return switch (this.type) {
					case F32 -> nodes.numberNode(this.values.getFloat(i * 4));
					case F64 -> nodes.numberNode(this.values.getDouble(i * 8));
					case I32 -> nodes.numberNode(this.values.getInt(i * 4));
					case I64 -> nodes.numberNode(this.values.getLong(i * 8));
				};
			}
			ArrayNode array = nodes.arrayNode(itemShape[depth]);
			for (int k = 0; k < itemShape[depth]; k++) {
				array.add(value(itemShape, depth + 1, at));
			}
			return array;
		}

	}

}
