package dev.batchline.contracts;

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

	private EventCodec() {
	}

	/** The mapper behind the codec, for callers that stream. */
	public static JsonMapper mapper() {
		return MAPPER;
	}

	public static byte[] encode(Object value) {
		return MAPPER.writeValueAsBytes(value);
	}

	public static <T> T decode(byte[] json, Class<T> type) {
		return MAPPER.readValue(json, type);
	}

	public static JsonNode tree(byte[] json) {
		return MAPPER.readTree(json);
	}

}
