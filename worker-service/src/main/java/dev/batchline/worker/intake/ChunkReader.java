package dev.batchline.worker.intake;

import java.util.UUID;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.worker.items.ChunkItems;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads a {@link ChunkSubmitted} record. A record in the {@link ChunkTensors} encoding is
 * one tensor already, copied as it is into the batches. In a JSON record, when every item
 * is a bare rectangular array of numbers and all items have one shape (what nearly every
 * job sends), the items are read token by token straight into one {@code double[]}, with
 * no tree per item; any other chunk is read into JSON trees, item by item, as before.
 * Which way a chunk is read never changes its results: the dense numbers are exactly
 * those the trees would give, and whether they fit the model is checked before
 * predicting.
 */
final class ChunkReader {

	private ChunkReader() {
	}

	/**
	 * Reads a chunk record's data.
	 * @param contentType the CloudEvent's {@code datacontenttype}:
	 * {@link ChunkTensors#CONTENT_TYPE}, else JSON
	 * @param data the CloudEvent data
	 * @return the chunk
	 * @throws RuntimeException when the data is not a chunk
	 */
	static Chunk read(String contentType, byte[] data) {
		if (ChunkTensors.CONTENT_TYPE.equals(contentType)) {
			ChunkTensors.Tensor tensor = ChunkTensors.decode(data);
			return new Chunk(tensor.jobId(), tensor.chunk(), tensor.firstIndex(), tensor.model(), tensor.version(),
					ChunkItems.tensor(tensor), data);
		}
		Chunk dense = readDense(data);
		return (dense != null) ? dense : readTrees(data);
	}

	/** Reads a chunk's items as trees. */
	static Chunk readTrees(byte[] data) {
		ChunkSubmitted chunk = EventCodec.decode(data, ChunkSubmitted.class);
		if (chunk.jobId() == null || chunk.instances() == null || chunk.model() == null) {
			throw new IllegalArgumentException("the chunk misses job_id, model or instances");
		}
		return new Chunk(chunk.jobId(), chunk.chunk(), chunk.firstIndex(), chunk.model(), chunk.version(),
				ChunkItems.trees(chunk.firstIndex(), chunk.instances()).cached(chunk.cache()), data);
	}

	private static Chunk readDense(byte[] data) {
		UUID jobId = null;
		Integer number = null;
		Long firstIndex = null;
		String model = null;
		String version = null;
		boolean cache = false;
		DenseInstances items = null;
		try (JsonParser parser = EventCodec.mapper().createParser(data)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
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
					case "cache" -> {
						cache = value == JsonToken.VALUE_TRUE;
						parser.skipChildren();
					}
					case "instances" -> {
						items = DenseInstances.readArray(parser, value, 4096);
						if (items == null) {
							// the parser stopped within an item: the trees read it all
							return null;
						}
					}
					default -> parser.skipChildren();
				}
			}
		}
		catch (RuntimeException ex) {
			// let the tree reader say what is wrong with it
			return null;
		}
		// a field missing: the tree reader says which
		if (jobId == null || number == null || firstIndex == null || model == null || items == null) {
			return null;
		}
		return new Chunk(jobId, number, firstIndex, model, version, ChunkItems.dense(firstIndex, items).cached(cache),
				data);
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
			if (this.items.trees() != null) {
				return this;
			}
			if (this.items.tensor() != null) {
				return new Chunk(this.jobId, this.number, this.firstIndex, this.model, this.version,
						ChunkItems.trees(this.firstIndex, this.items.tensor().toSubmitted().instances())
							.cached(this.items.cache()),
						this.data);
			}
			return readTrees(this.data);
		}

	}

}
