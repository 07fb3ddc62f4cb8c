package dev.batchline.api.openai;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.NdjsonItems;
import dev.batchline.api.oip.OipTensors;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.tfserving.TfServingBodies;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.databind.JsonNode;

/**
 * The requests of a batch's input file as a job's items: each line {@code {"custom_id",
 * "method": "POST", "url", "body"}} is one item, its instance the one row of its body (in
 * the protocol its {@code url} names) and its id the {@code custom_id}. A line that is
 * not such a request names its line number.
 */
final class BatchLines implements Items {

	private static final Set<String> FIELDS = Set.of("custom_id", "method", "url", "body");

	private static final Set<String> OIP_FIELDS = Set.of("inputs");

	private final NdjsonItems lines;

	private final BatchEndpoint endpoint;

	private final ModelSignature signature;

	private String customId;

	private JsonNode instance;

	/**
	 * @param file the input file's bytes
	 * @param lines its non-blank lines
	 * @param maxFileBytes the most bytes read
	 * @param maxLineBytes the longest line
	 */
	BatchLines(InputStream file, long lines, long maxFileBytes, long maxLineBytes, BatchEndpoint endpoint,
			ModelSignature signature) {
		this.lines = new NdjsonItems(file, maxFileBytes, "batchline.api.openai.max-file-bytes", maxLineBytes, lines);
		this.endpoint = endpoint;
		this.signature = signature;
	}

	@Override
	public boolean advance() {
		this.customId = null;
		this.instance = null;
		if (!this.lines.advance()) {
			return false;
		}
		JsonNode request = this.lines.tree();
		if (!request.isObject()) {
			throw invalid("is not a request object {\"custom_id\", \"method\", \"url\", \"body\"}");
		}
		for (String field : request.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw invalid("has the unknown field '" + field + "'");
			}
		}
		JsonNode id = request.path("custom_id");
		if (!id.isString() || id.asString().isEmpty()) {
			throw invalid("needs a 'custom_id' string");
		}
		this.customId = id.asString();
		if (!"POST".equals(request.path("method").asString(null))) {
			throw invalid("must have \"method\": \"POST\"");
		}
		if (!this.endpoint.path().equals(request.path("url").asString(null))) {
			throw invalid("has the 'url' " + request.path("url") + ", not the batch's endpoint '" + this.endpoint.path()
					+ "'");
		}
		JsonNode body = request.path("body");
		if (!body.isObject()) {
			throw invalid("needs a 'body' object");
		}
		List<JsonNode> rows;
		try {
			rows = switch (this.endpoint.protocol()) {
				case TF_SERVING -> TfServingBodies.rows(body, this.signature);
				case OPEN_INFERENCE -> {
					for (String field : body.propertyNames()) {
						if (!OIP_FIELDS.contains(field)) {
							throw ApiException
								.badRequest("a batch reads only 'inputs' of an infer body, not '" + field + "'");
						}
					}
					yield OipTensors.rows(body.get("inputs"), this.signature);
				}
			};
		}
		catch (ApiException ex) {
			throw invalid("has a body that " + this.endpoint.path() + " refuses: " + ex.getMessage());
		}
		if (rows.size() != 1) {
			throw invalid("has " + rows.size() + " rows in its body; a batch takes one row a request");
		}
		this.instance = rows.get(0);
		return true;
	}

	private ApiException invalid(String problem) {
		return new ApiException(ProblemKind.INVALID_INSTANCE, "line " + this.lines.line() + " " + problem,
				Map.of("line", this.lines.line()));
	}

	@Override
	public long size() {
		return this.lines.size();
	}

	@Override
	public JsonNode tree() {
		return this.instance;
	}

	@Override
	public String customId() {
		return this.customId;
	}

	@Override
	public long line() {
		return this.lines.line();
	}

}
