package dev.batchline.api.intake;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON {@code POST /v1/jobs} body, read from its spool without ever holding it as one
 * tree: {@link #scan} checks its form, counts its items and measures each one (and each
 * other field) before anything is parsed into a tree; {@link #items} then yields the
 * items one at a time, each a small tree of its own.
 */
public final class JsonJobBody {

	private static final String INSTANCES = "instances";

	/** One mapper per item limit (there is one setting). */
	private static final Map<Integer, JsonMapper> MAPPERS = new ConcurrentHashMap<>();

	private final BodySpool spool;

	private final JobRequest request;

	private final long size;

	private final JsonMapper mapper;

	private JsonJobBody(BodySpool spool, JobRequest request, long size, JsonMapper mapper) {
		this.spool = spool;
		this.request = request;
		this.size = size;
		this.mapper = mapper;
	}

	/**
	 * Checks a body: one JSON object whose fields are small (each at most
	 * {@code maxFieldBytes}) but {@code instances}, an array of at most {@code maxItems}
	 * items of at most {@code maxItemBytes} each.
	 * @throws ApiException 400 for malformed JSON or a wrong form, 413 for too many or
	 * too large items, 422 for an invalid field
	 */
	public static JsonJobBody scan(BodySpool spool, long maxItems, String maxItemsProperty, int maxItemBytes,
			int maxFieldBytes) {
		JsonMapper mapper = mapper(maxItemBytes);
		ObjectNode fields = mapper.createObjectNode();
		long items = -1;
		try (JsonParser parser = mapper.createParser(spool.open())) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw ApiException.badRequest("The request body must be a JSON object with 'model' and 'instances'");
			}
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				JsonToken value = parser.nextToken();
				if (name.equals(INSTANCES)) {
					if (value != JsonToken.START_ARRAY) {
						throw ApiException.invalid("'instances' is required and must be an array of items");
					}
					items = countItems(parser, maxItems, maxItemsProperty, maxItemBytes);
				}
				else {
					long start = parser.currentTokenLocation().getByteOffset();
					skip(parser, value);
					long length = parser.currentLocation().getByteOffset() - start;
					if (length > maxFieldBytes) {
						throw ApiException.invalid("'" + name + "' is larger than " + maxFieldBytes
								+ " bytes (batchline.api." + "max-metadata-bytes, the largest field but 'instances')");
					}
					fields.set(name, mapper.readTree(spool.read(start, (int) length)));
				}
			}
			if (parser.nextToken() != null) {
				throw new ApiException(ProblemKind.MALFORMED_JSON, "The request body has more after its JSON object");
			}
		}
		catch (JacksonException ex) {
			throw new ApiException(ProblemKind.MALFORMED_JSON,
					"The request body is not valid JSON: " + ex.getOriginalMessage());
		}
		if (items < 0) {
			throw ApiException.invalid("'instances' is required and must be an array of items");
		}
		return new JsonJobBody(spool, JobRequest.of(fields), items, mapper);
	}

	/** The fields of the submission but its items. */
	public JobRequest request() {
		return this.request;
	}

	/** The items, read from the spool one at a time. */
	public Items items() {
		JsonParser parser = this.mapper.createParser(this.spool.open());
		parser.nextToken();
		for (String name = parser.nextName(); !INSTANCES.equals(name); name = parser.nextName()) {
			skip(parser, parser.nextToken());
		}
		parser.nextToken();
		return Items.reading(this.size,
				() -> (parser.nextToken() == JsonToken.END_ARRAY) ? null : parser.<JsonNode>readValueAsTree());
	}

	private static long countItems(JsonParser parser, long maxItems, String maxItemsProperty, int maxItemBytes) {
		long items = 0;
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
			long start = parser.currentTokenLocation().getByteOffset();
			skip(parser, token);
			if (parser.currentLocation().getByteOffset() - start > maxItemBytes) {
				throw new ApiException(ProblemKind.ITEM_TOO_LARGE, "instances[" + items + "] is larger than "
						+ maxItemBytes + " bytes (batchline.api.upload.max-item-bytes)", Map.of("item_index", items));
			}
			if (++items > maxItems) {
				throw new ApiException(ProblemKind.TOO_MANY_ITEMS, "The job has more than " + maxItems
						+ " items; the most allowed is " + maxItems + " (" + maxItemsProperty + ")");
			}
		}
		return items;
	}

	/** Moves past a value: a whole object or array, or a scalar read to its end. */
	private static void skip(JsonParser parser, JsonToken token) {
		if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
			parser.skipChildren();
		}
		else {
			parser.finishToken();
		}
	}

	/**
	 * A mapper whose parsers refuse any string longer than an item may be, so that no
	 * single token can take more memory than an item.
	 */
	private static JsonMapper mapper(int maxItemBytes) {
		return MAPPERS
			.computeIfAbsent(maxItemBytes,
					(max) -> JsonMapper.builder(JsonFactory.builder()
						.streamReadConstraints(StreamReadConstraints.builder().maxStringLength(max).build())
						.build()).build());
	}

}
