package dev.batchline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * results recorder) scans it to count the items and keeps its bytes, without building a
 * tree of every output or writing it again.
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
	 * Reads the array by scanning its tokens (numbers never converted) to count the items
	 * and the items with an error, checks that each item has an integer {@code index},
	 * and keeps its bytes as they came: a slice of the text {@link EventCodec#decode} is
	 * reading, never written out again.
	 */
	static final class Reader extends ValueDeserializer<ItemResults> {

		@Override
		public ItemResults deserialize(JsonParser parser, DeserializationContext context) {
			if (parser.currentToken() != JsonToken.START_ARRAY) {
				return context.reportInputMismatch(ItemResults.class, "item results must be a JSON array");
			}
			if (!(context.getAttribute(EventCodec.SOURCE) instanceof byte[] source)) {
				return context.reportInputMismatch(ItemResults.class,
						"item results are read from the bytes of a record (EventCodec.decode)");
			}
			long from = parser.currentTokenLocation().getByteOffset();
			int size = 0;
			int failed = 0;
			JsonToken token;
			while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
				size++;
				boolean indexed = false;
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					String name = parser.currentName();
					JsonToken value = parser.nextToken();
					// an item failed when it has an error that is not null
					failed += ("error".equals(name) && value != JsonToken.VALUE_NULL) ? 1 : 0;
					indexed |= "index".equals(name) && value == JsonToken.VALUE_NUMBER_INT;
					parser.skipChildren();
				}
				if (!indexed) {
					// results are served in input order by their index: an item without
					// one
					// could be stored, but never read back
					return context.reportInputMismatch(ItemResults.class,
							"every item result must have an integer 'index'");
				}
			}
			if (token != JsonToken.END_ARRAY) {
				return context.reportInputMismatch(ItemResults.class, "every item result must be a JSON object");
			}
			long to = parser.currentLocation().getByteOffset();
			if (from < 0 || to > source.length || source[(int) from] != '[' || source[(int) to - 1] != ']') {
				return context.reportInputMismatch(ItemResults.class, "the item results' bytes could not be located");
			}
			return new ItemResults(Arrays.copyOfRange(source, (int) from, (int) to), size, failed);
		}

	}

}
