package dev.batchline.worker.batching;

import java.util.Arrays;
import java.util.UUID;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.EventCodec;
import dev.batchline.worker.inference.ChunkItems;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads a {@link ChunkSubmitted} record. When every item is a bare rectangular array of
 * numbers and all items have one shape (what nearly every job sends), the items are read
 * token by token straight into one {@code double[]}, with no tree per item; any other
 * chunk is read into JSON trees, item by item, as before. Which way a chunk is read never
 * changes its results: the dense numbers are exactly those the trees would give, and
 * whether they fit the model is checked before predicting.
 */
final class ChunkReader {

	/** Deepest item nesting read densely; deeper items are read as trees. */
	private static final int MAX_RANK = 8;

	private ChunkReader() {
	}

	/**
	 * Reads a chunk record's data.
	 * @param data the CloudEvent data
	 * @return the chunk
	 * @throws RuntimeException when the data is not a chunk
	 */
	static Chunk read(byte[] data) {
		try {
			Chunk dense = readDense(data);
			if (dense != null) {
				return dense;
			}
		}
		catch (NotDense ex) {
			// read it as trees below
		}
		return readTrees(data);
	}

	/** Reads a chunk's items as trees. */
	static Chunk readTrees(byte[] data) {
		ChunkSubmitted chunk = EventCodec.decode(data, ChunkSubmitted.class);
		if (chunk.jobId() == null || chunk.instances() == null || chunk.model() == null) {
			throw new IllegalArgumentException("the chunk misses job_id, model or instances");
		}
		return new Chunk(chunk.jobId(), chunk.chunk(), chunk.firstIndex(), chunk.model(), chunk.version(),
				ChunkItems.trees(chunk.firstIndex(), chunk.instances()), data);
	}

	private static Chunk readDense(byte[] data) {
		UUID jobId = null;
		int number = 0;
		long firstIndex = 0;
		String model = null;
		String version = null;
		DenseBuilder items = null;
		try (JsonParser parser = EventCodec.mapper().createParser(data)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new NotDense();
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (name) {
					case "job_id" ->
						jobId = (value == JsonToken.VALUE_STRING) ? UUID.fromString(parser.getString()) : null;
					case "chunk" -> number = parser.getIntValue();
					case "first_index" -> firstIndex = parser.getLongValue();
					case "model" -> model = (value == JsonToken.VALUE_STRING) ? parser.getString() : null;
					case "version" -> version = (value == JsonToken.VALUE_STRING) ? parser.getString() : null;
					case "instances" -> items = DenseBuilder.read(parser, value);
					default -> parser.skipChildren();
				}
			}
		}
		catch (RuntimeException ex) {
			if (ex instanceof NotDense notDense) {
				throw notDense;
			}
			// let the tree reader say what is wrong with it
			return null;
		}
		if (jobId == null || model == null || items == null) {
			return null;
		}
		return new Chunk(jobId, number, firstIndex, model, version, ChunkItems.dense(firstIndex, items.build()), data);
	}

	/**
	 * A chunk as read.
	 *
	 * @param jobId the job
	 * @param number the chunk number
	 * @param firstIndex the job-wide index of its first item
	 * @param model the model name
	 * @param version the model version
	 * @param items its items
	 * @param data the record's data as it came
	 */
	record Chunk(UUID jobId, int number, long firstIndex, String model, String version, ChunkItems items, byte[] data) {

		/** The same chunk with its items read as trees. */
		Chunk asTrees() {
			return (this.items.trees() != null) ? this : readTrees(this.data);
		}

	}

	/** Items that cannot be read densely; never leaves this class. */
	private static final class NotDense extends RuntimeException {

		NotDense() {
			super(null, null, false, false);
		}

	}

	/** Collects the numbers of the items and checks that they all have one shape. */
	private static final class DenseBuilder {

		private final JsonParser parser;

		/** The length at each depth, -1 until seen. */
		private final int[] lengths = new int[MAX_RANK];

		/** The depth of the numbers, -1 until the first number. */
		private int rank = -1;

		private double[] values = new double[4096];

		private int size;

		private int count;

		private boolean integral = true;

		private DenseBuilder(JsonParser parser) {
			this.parser = parser;
			Arrays.fill(this.lengths, -1);
		}

		static DenseBuilder read(JsonParser parser, JsonToken start) {
			if (start != JsonToken.START_ARRAY) {
				throw new NotDense();
			}
			DenseBuilder builder = new DenseBuilder(parser);
			JsonToken token;
			while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
				builder.value(token, 0);
				builder.count++;
			}
			if (builder.count == 0) {
				throw new NotDense();
			}
			return builder;
		}

		private void value(JsonToken token, int depth) {
			if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
				if (this.rank < 0) {
					this.rank = depth;
				}
				else if (this.rank != depth) {
					throw new NotDense();
				}
				if (this.size == this.values.length) {
					this.values = Arrays.copyOf(this.values, this.values.length * 2);
				}
				this.values[this.size++] = this.parser.getDoubleValue();
				this.integral &= token == JsonToken.VALUE_NUMBER_INT;
				return;
			}
			if (token != JsonToken.START_ARRAY || depth >= MAX_RANK || (this.rank >= 0 && depth >= this.rank)) {
				throw new NotDense();
			}
			int length = 0;
			JsonToken element;
			while ((element = this.parser.nextToken()) != JsonToken.END_ARRAY) {
				value(element, depth + 1);
				length++;
			}
			if (length == 0 || (this.lengths[depth] >= 0 && this.lengths[depth] != length)) {
				throw new NotDense();
			}
			this.lengths[depth] = length;
		}

		ChunkItems.Dense build() {
			int[] shape = Arrays.copyOf(this.lengths, Math.max(this.rank, 0));
			return new ChunkItems.Dense(this.count, shape, this.values, this.integral);
		}

	}

}
