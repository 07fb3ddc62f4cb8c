package dev.batchline.api.intake;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.databind.JsonNode;

/**
 * The items of a submission with the caller's ids taken out: an item written
 * {@code {"custom_id": "…", "instance": …}} is its instance, carrying that id; any other
 * item is itself, without one. Every door's items pass through here, so a
 * {@code custom_id} means the same in JSON, NDJSON, gRPC and GraphQL, and no id is given
 * to two items of one job.
 *
 * <p>
 * Only an object can carry an id, so an item sent as text that is not an object keeps its
 * text (no tree is made for it).
 */
public final class CustomIds implements Items {

	/** The longest {@code custom_id}, in characters. */
	public static final int MAX_LENGTH = 256;

	private final Items items;

	/**
	 * Each id seen, with where it was: its line, or its index when there are no lines.
	 */
	private final Map<String, Long> seen = new HashMap<>();

	private long index = -1;

	private String customId;

	private JsonNode instance;

	private CustomIds(Items items) {
		this.items = items;
	}

	/** The items given, their ids taken out. */
	public static Items of(Items items) {
		return (items instanceof CustomIds) ? items : new CustomIds(items);
	}

	@Override
	public boolean advance() {
		this.customId = null;
		this.instance = null;
		if (!this.items.advance()) {
			return false;
		}
		this.index++;
		this.customId = this.items.customId();
		if (this.customId != null && this.customId.length() > MAX_LENGTH) {
			throw invalid("has a 'custom_id' longer than " + MAX_LENGTH + " characters");
		}
		if (this.customId == null && mayBeObject()) {
			JsonNode tree = this.items.tree();
			if (tree.isObject() && tree.has("custom_id")) {
				this.customId = unwrap(tree);
			}
		}
		if (this.customId != null) {
			remember(this.customId);
		}
		return true;
	}

	/**
	 * Whether the current item may be an object: it came parsed, or as text opening with
	 * {@code {}.
	 */
	private boolean mayBeObject() {
		byte[] text = this.items.text();
		return text == null || (this.items.textLength() > 0 && text[this.items.textOffset()] == '{');
	}

	private String unwrap(JsonNode item) {
		for (String field : item.propertyNames()) {
			if (!field.equals("custom_id") && !field.equals("instance")) {
				throw invalid("has the field '" + field + "' beside 'custom_id': an item with an id is "
						+ "{\"custom_id\": \"…\", \"instance\": …}");
			}
		}
		JsonNode id = item.get("custom_id");
		if (!id.isString() || id.asString().isEmpty() || id.asString().length() > MAX_LENGTH) {
			throw invalid("'custom_id' must be a string of 1 to " + MAX_LENGTH + " characters");
		}
		this.instance = item.get("instance");
		if (this.instance == null || this.instance.isNull()) {
			throw invalid("has a 'custom_id' but no 'instance'");
		}
		return id.asString();
	}

	private void remember(String id) {
		long line = this.items.line();
		long where = (line > 0) ? line : this.index;
		Long first = this.seen.putIfAbsent(id, where);
		if (first != null) {
			Map<String, Object> extensions = new LinkedHashMap<>();
			extensions.put("custom_id", id);
			if (line > 0) {
				extensions.put("line", line);
				extensions.put("first_line", first);
			}
			extensions.put("item_index", this.index);
			throw new ApiException(ProblemKind.DUPLICATE_CUSTOM_ID,
					((line > 0) ? "line " + line + " (instances[" + this.index + "])" : "instances[" + this.index + "]")
							+ " repeats the custom_id '" + id + "' of "
							+ ((line > 0) ? "line " + first : "instances[" + first + "]"),
					extensions);
		}
	}

	private ApiException invalid(String problem) {
		long line = this.items.line();
		Map<String, Object> extensions = new LinkedHashMap<>();
		extensions.put("item_index", this.index);
		if (line > 0) {
			extensions.put("line", line);
		}
		return new ApiException(ProblemKind.INVALID_INSTANCE,
				"instances[" + this.index + "]" + ((line > 0) ? " (line " + line + ")" : "") + " " + problem,
				extensions);
	}

	@Override
	public long size() {
		return this.items.size();
	}

	@Override
	public JsonNode tree() {
		return (this.instance != null) ? this.instance : this.items.tree();
	}

	@Override
	public byte[] text() {
		return (this.instance != null) ? null : this.items.text();
	}

	@Override
	public int textOffset() {
		return this.items.textOffset();
	}

	@Override
	public int textLength() {
		return this.items.textLength();
	}

	@Override
	public String customId() {
		return this.customId;
	}

	@Override
	public long line() {
		return this.items.line();
	}

}
