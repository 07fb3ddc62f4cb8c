package dev.batchline.contracts;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * The item results of one chunk as their encoded JSON array ({@code [{"index": …,
 * "output": {…}}, {"index": …, "error": {…}}, …]}), with its number of items and of
 * failed items. Results pass from the worker through Kafka into PostgreSQL and out of the
 * API as this same JSON: the worker writes it once, and whoever only carries it (the
 * results recorder) copies its tokens and counts them without building a tree of every
 * output.
 */
@JsonSerialize(using = ItemResults.Writer.class)
@JsonDeserialize(using = ItemResults.Reader.class)
public final class ItemResults {

	/** No items (a skipped chunk). */
	public static final ItemResults EMPTY = new ItemResults("[]".getBytes(StandardCharsets.UTF_8), 0, 0);

	private final byte[] json;

	private final int size;

	private final int failed;

	private ItemResults(byte[] json, int size, int failed) {
		this.json = json;
		this.size = size;
		this.failed = failed;
	}

	/** Encodes item results. */
	public static ItemResults of(List<ItemResult> items) {
		int failed = 0;
		for (ItemResult item : items) {
			failed += item.failed() ? 1 : 0;
		}
		return new ItemResults(EventCodec.encode(items), items.size(), failed);
	}

	/**
	 * Joins encoded items (each one item's JSON object, in order) into one array.
	 * @param items the encoded items
	 * @param failed how many of them have an error
	 * @return the results
	 */
	public static ItemResults join(List<byte[]> items, int failed) {
		int length = 2 + Math.max(0, items.size() - 1);
		for (byte[] item : items) {
			length += item.length;
		}
		byte[] json = new byte[length];
		int at = 0;
		json[at++] = '[';
		for (int i = 0; i < items.size(); i++) {
			if (i > 0) {
				json[at++] = ',';
			}
			byte[] item = items.get(i);
			System.arraycopy(item, 0, json, at, item.length);
			at += item.length;
		}
		json[at] = ']';
		return new ItemResults(json, items.size(), failed);
	}

	/** The JSON array. */
	public byte[] json() {
		return this.json;
	}

	/** The number of items. */
	public int size() {
		return this.size;
	}

	/** The number of items with an error. */
	public int failed() {
		return this.failed;
	}

	/** The items decoded (for tests and tools; the pipeline itself never needs them). */
	public List<ItemResult> toList() {
		List<ItemResult> items = new ArrayList<>(this.size);
		for (JsonNode item : EventCodec.tree(this.json)) {
			items.add(EventCodec.mapper().treeToValue(item, ItemResult.class));
		}
		return items;
	}

	@Override
	public String toString() {
		return "ItemResults[size=" + this.size + ", failed=" + this.failed + "]";
	}

	/** Writes the array as it is. */
	static final class Writer extends ValueSerializer<ItemResults> {

		@Override
		public void serialize(ItemResults value, JsonGenerator generator, SerializationContext context) {
			generator.writeRawValue(new String(value.json, StandardCharsets.UTF_8));
		}

	}

	/**
	 * Reads the array by copying its tokens (numbers as their text, never converted),
	 * counting the items and the items with an error.
	 */
	static final class Reader extends ValueDeserializer<ItemResults> {

		@Override
		public ItemResults deserialize(JsonParser parser, DeserializationContext context) {
			if (parser.currentToken() != JsonToken.START_ARRAY) {
				return context.reportInputMismatch(ItemResults.class, "item results must be a JSON array");
			}
			ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
			int size = 0;
			int failed = 0;
			try (JsonGenerator copy = EventCodec.mapper().createGenerator(out)) {
				copy.writeStartArray();
				int depth = 1;
				JsonToken token;
				while (depth > 0 && (token = parser.nextToken()) != null) {
					switch (token) {
						case START_OBJECT -> {
							if (depth == 1) {
								size++;
							}
							depth++;
							copy.writeStartObject();
						}
						case START_ARRAY -> {
							if (depth == 1) {
								return context.reportInputMismatch(ItemResults.class,
										"every item result must be a JSON object");
							}
							depth++;
							copy.writeStartArray();
						}
						case END_OBJECT -> {
							depth--;
							copy.writeEndObject();
						}
						case END_ARRAY -> {
							depth--;
							copy.writeEndArray();
						}
						case PROPERTY_NAME -> {
							copy.writeName(parser.currentName());
							if (depth == 2 && "error".equals(parser.currentName())) {
								// an item's error, copied whole: the item failed unless
								// it is null
								failed += (parser.nextToken() != JsonToken.VALUE_NULL) ? 1 : 0;
								copy.copyCurrentStructure(parser);
							}
						}
						case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> copy.writeNumber(parser.getString());
						case VALUE_STRING -> copy.writeString(parser.getStringCharacters(), parser.getStringOffset(),
								parser.getStringLength());
						case VALUE_TRUE, VALUE_FALSE -> copy.writeBoolean(token == JsonToken.VALUE_TRUE);
						case VALUE_NULL -> copy.writeNull();
						default -> {
							return context.reportInputMismatch(ItemResults.class,
									"unexpected " + token + " in item results");
						}
					}
				}
			}
			return new ItemResults(out.toByteArray(), size, failed);
		}

	}

}
