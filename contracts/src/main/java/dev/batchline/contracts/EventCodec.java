package dev.batchline.contracts;

import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON encoding of every Batchline record: snake_case property names, ISO-8601 times.
 * Thread-safe; share one instance.
 */
public final class EventCodec {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	/**
	 * For parsers of many small values one after another (an NDJSON line each): buffers
	 * are recycled per thread, not through the shared pool's concurrent deque.
	 */
	private static final JsonFactory SMALL_VALUES = JsonFactory.builder()
		.recyclerPool(JsonRecyclerPools.threadLocalPool())
		.build();

	/**
	 * The attribute under which {@link #decode} gives its deserializers the bytes being
	 * decoded.
	 */
	static final Object SOURCE = EventCodec.class.getName() + ".source";

	private EventCodec() {
	}

	/**
	 * A streaming parser of one small JSON text, cheap to make one of per value (no data
	 * binding: tokens only).
	 * @param bytes the UTF-8 bytes
	 * @param offset where the text starts
	 * @param length its length
	 * @return the parser; close it
	 */
	public static JsonParser parser(byte[] bytes, int offset, int length) {
		return SMALL_VALUES.createParser(ObjectReadContext.empty(), bytes, offset, length);
	}

	/** The mapper behind the codec, for callers that stream. */
	public static JsonMapper mapper() {
		return MAPPER;
	}

	public static byte[] encode(Object value) {
		return MAPPER.writeValueAsBytes(value);
	}

	/**
	 * Decodes a record. Deserializers that keep part of the text as it is (such as
	 * {@link ItemResults}) find the bytes under {@link #SOURCE}.
	 */
	public static <T> T decode(byte[] json, Class<T> type) {
		return MAPPER.readerFor(type).withAttribute(SOURCE, json).readValue(json);
	}

	public static JsonNode tree(byte[] json) {
		return MAPPER.readTree(json);
	}

}
