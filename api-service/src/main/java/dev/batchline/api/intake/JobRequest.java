package dev.batchline.api.intake;

import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.boot.convert.DurationStyle;

/**
 * A parsed {@code POST /v1/jobs} body.
 *
 * @param model the model name
 * @param version the model version, or null for the newest
 * @param instances the items (TensorFlow Serving's {@code instances})
 * @param metadata the caller's metadata object, or null
 * @param callbackUrl where to also send the job's terminal event ({@code "callback":
 * {"url": …}}), or null
 * @param completionWindow how long the job may take ({@code "24h"}, {@code "PT90M"}), or
 * null for the default
 * @param outputExpiresAfter how long the results are kept after the job finishes
 * ({@code output_expires_after}), or null for the default
 */
public record JobRequest(String model, String version, List<JsonNode> instances, JsonNode metadata, String callbackUrl,
		Duration completionWindow, Duration outputExpiresAfter) {

	/** The fields of a JSON submission. */
	private static final List<String> BODY_FIELDS = List.of("model", "version", "instances", "metadata", "callback",
			"completion_window", "output_expires_after");

	/** The query parameters of an NDJSON submission. */
	private static final List<String> QUERY_PARAMETERS = List.of("model", "version", "metadata", "callback_url",
			"completion_window", "output_expires_after_anchor", "output_expires_after_seconds");

	/**
	 * Reads a request body of at most {@code maxBytes}.
	 * @param body the body
	 * @param maxBytes the limit
	 * @return the request
	 * @throws ApiException 400 for malformed JSON or a wrong form, 413 past the limit
	 */
	public static JobRequest read(InputStream body, long maxBytes) {
		JsonNode root;
		LimitedInputStream limited = new LimitedInputStream(body, maxBytes);
		try {
			root = EventCodec.mapper().readTree(limited);
		}
		catch (JacksonException ex) {
			if (limited.exceeded()) {
				throw tooLarge(maxBytes);
			}
			throw new ApiException(ProblemKind.MALFORMED_JSON,
					"The request body is not valid JSON: " + ex.getOriginalMessage());
		}
		if (root == null || root.isMissingNode() || !root.isObject()) {
			throw ApiException.badRequest("The request body must be a JSON object with 'model' and 'instances'");
		}
		JsonNode model = root.get("model");
		if (model == null || !model.isString() || model.asString().isBlank()) {
			throw ApiException.invalid("'model' is required and must be a model name");
		}
		JsonNode version = root.get("version");
		if (version != null && !version.isNull() && !(version.isString() || version.isIntegralNumber())) {
			throw ApiException.invalid("'version' must be a string or an integer");
		}
		JsonNode instances = root.get("instances");
		if (instances == null || !instances.isArray()) {
			throw ApiException.invalid("'instances' is required and must be an array of items");
		}
		JsonNode metadata = root.get("metadata");
		if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
			throw ApiException.invalid("'metadata' must be an object");
		}
		for (String field : root.propertyNames()) {
			if (!BODY_FIELDS.contains(field)) {
				throw ApiException.invalid("unknown field '" + field + "'");
			}
		}
		List<JsonNode> items = new ArrayList<>(instances.size());
		instances.forEach(items::add);
		return new JobRequest(model.asString(), (version == null || version.isNull()) ? null : version.asString(),
				items, (metadata == null || metadata.isNull()) ? null : metadata, callbackUrl(root.get("callback")),
				completionWindow(root.get("completion_window")),
				OutputExpiry.fromJson(root.get("output_expires_after")));
	}

	/**
	 * Parses a completion window: {@code "24h"}, {@code "90m"}, {@code "PT2H"} or a
	 * number of seconds.
	 * @param window the value, may be null
	 * @return the window, or null when not given
	 */
	static Duration completionWindow(JsonNode window) {
		if (window == null || window.isNull()) {
			return null;
		}
		Duration duration = null;
		if (window.isIntegralNumber() && window.canConvertToLong()) {
			duration = Duration.ofSeconds(window.longValue());
		}
		else if (window.isString()) {
			try {
				duration = DurationStyle.detectAndParse(window.asString().strip(), ChronoUnit.SECONDS);
			}
			catch (IllegalArgumentException ex) {
				duration = null;
			}
		}
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw ApiException.invalid("'completion_window' must be a positive duration such as \"24h\", \"90m\" or "
					+ "\"PT2H\", or a number of seconds");
		}
		return duration;
	}

	private static String callbackUrl(JsonNode callback) {
		if (callback == null || callback.isNull()) {
			return null;
		}
		if (!callback.isObject()) {
			throw ApiException.invalid("'callback' must be an object: {\"url\": \"https://…\"}");
		}
		for (String field : callback.propertyNames()) {
			if (!field.equals("url")) {
				throw ApiException.invalid("unknown field 'callback." + field + "'");
			}
		}
		JsonNode url = callback.get("url");
		if (url == null || !url.isString() || url.asString().isBlank()) {
			throw ApiException.invalid("'callback.url' is required and must be an http or https URL");
		}
		return url.asString().strip();
	}

	/** The error of a JSON body over {@code batchline.api.max-body-bytes}. */
	public static ApiException tooLarge(long maxBytes) {
		return ApiException.bodyTooLarge(maxBytes, "batchline.api.max-body-bytes");
	}

	/**
	 * Reads the fields of a submission but {@code instances} from query parameters (an
	 * NDJSON submission, whose body holds the items).
	 * @param parameters the request's query parameters
	 * @return the request, with no instances
	 * @throws ApiException 422 for an unknown, repeated or invalid parameter
	 */
	public static JobRequest fromQuery(Map<String, String[]> parameters) {
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			if (!QUERY_PARAMETERS.contains(parameter.getKey())) {
				throw ApiException.invalid("unknown parameter '" + parameter.getKey() + "'; an NDJSON submission takes "
						+ QUERY_PARAMETERS + " as query parameters");
			}
			if (parameter.getValue().length > 1) {
				throw ApiException.invalid("parameter '" + parameter.getKey() + "' is given more than once");
			}
		}
		String model = value(parameters, "model");
		if (model == null || model.isBlank()) {
			throw ApiException.invalid("'model' is required (query parameter) and must be a model name");
		}
		String version = value(parameters, "version");
		String callbackUrl = value(parameters, "callback_url");
		if (callbackUrl != null && callbackUrl.isBlank()) {
			throw ApiException.invalid("'callback_url' must be an http or https URL");
		}
		String window = value(parameters, "completion_window");
		return new JobRequest(model, (version == null || version.isBlank()) ? null : version, List.of(),
				metadataParameter(value(parameters, "metadata")), (callbackUrl != null) ? callbackUrl.strip() : null,
				(window != null) ? completionWindow(JsonNodeFactory.instance.stringNode(window)) : null,
				OutputExpiry.fromQuery(value(parameters, "output_expires_after_anchor"),
						value(parameters, "output_expires_after_seconds")));
	}

	private static JsonNode metadataParameter(String json) {
		if (json == null) {
			return null;
		}
		JsonNode metadata;
		try {
			metadata = EventCodec.mapper().readTree(json);
		}
		catch (JacksonException ex) {
			throw new ApiException(ProblemKind.MALFORMED_JSON,
					"'metadata' is not valid JSON: " + ex.getOriginalMessage());
		}
		if (metadata == null || metadata.isNull() || metadata.isMissingNode()) {
			return null;
		}
		if (!metadata.isObject()) {
			throw ApiException.invalid("'metadata' must be a JSON object");
		}
		return metadata;
	}

	private static String value(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		return (values != null && values.length > 0) ? values[0] : null;
	}

}
