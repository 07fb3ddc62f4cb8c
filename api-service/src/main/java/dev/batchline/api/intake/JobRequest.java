package dev.batchline.api.intake;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.convert.DurationStyle;

/**
 * A job submission but its items: the fields of a JSON {@code POST /v1/jobs} body, or the
 * query parameters of an NDJSON one.
 *
 * @param model the model name
 * @param version the model version or a label of it (either pins the job to it), or null
 * for the model's split, else its newest version
 * @param metadata the caller's metadata object, or null
 * @param callbackUrl where to also send the job's terminal event ({@code "callback":
 * {"url": …}}), or null
 * @param completionWindow how long the job may take ({@code "24h"}, {@code "PT90M"}), or
 * null for the default
 * @param outputExpiresAfter how long the results are kept after the job finishes
 * ({@code output_expires_after}), or null for the default
 * @param cache whether the workers may answer the items from their result cache, or null
 * for the model's setting ({@code batchline.api.inference.cache.models})
 */
public record JobRequest(String model, String version, JsonNode metadata, String callbackUrl, Duration completionWindow,
		Duration outputExpiresAfter, Boolean cache) {

	/** The fields of a JSON submission but {@code instances}. */
	private static final List<String> BODY_FIELDS = List.of("model", "version", "metadata", "callback",
			"completion_window", "output_expires_after", "cache");

	/** The query parameters of an NDJSON submission. */
	private static final List<String> QUERY_PARAMETERS = List.of("model", "version", "metadata", "callback_url",
			"completion_window", "output_expires_after_anchor", "output_expires_after_seconds", "cache");

	/**
	 * The fields of a JSON submission but {@code instances}, which {@link JsonJobBody}
	 * has checked and reads as a stream (or another door has as a list).
	 * @param root the other fields
	 * @return the request
	 * @throws ApiException 422 for a missing, unknown or invalid field
	 */
	public static JobRequest of(ObjectNode root) {
		for (String field : root.propertyNames()) {
			if (!BODY_FIELDS.contains(field)) {
				throw ApiException.invalid("unknown field '" + field + "'");
			}
		}
		JsonNode model = root.get("model");
		if (model == null || !model.isString() || model.asString().isBlank()) {
			throw ApiException.invalid("'model' is required and must be a model name");
		}
		JsonNode version = root.get("version");
		if (version != null && !version.isNull() && !(version.isString() || version.isIntegralNumber())) {
			throw ApiException.invalid("'version' must be a string or an integer");
		}
		JsonNode metadata = root.get("metadata");
		if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
			throw ApiException.invalid("'metadata' must be an object");
		}
		JsonNode cache = root.get("cache");
		if (cache != null && !cache.isNull() && !cache.isBoolean()) {
			throw ApiException.invalid("'cache' must be true or false");
		}
		return new JobRequest(model.asString(), (version == null || version.isNull()) ? null : version.asString(),
				(metadata == null || metadata.isNull()) ? null : metadata, callbackUrl(root.get("callback")),
				completionWindow(root.get("completion_window")),
				OutputExpiry.fromJson(root.get("output_expires_after")),
				(cache == null || cache.isNull()) ? null : cache.booleanValue());
	}

	/**
	 * Parses a completion window: {@code "24h"}, {@code "90m"}, {@code "PT2H"} or a
	 * number of seconds.
	 * @param window the value, may be null
	 * @return the window, or null when not given
	 */
	public static Duration completionWindow(JsonNode window) {
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
		String cache = value(parameters, "cache");
		if (cache != null && !cache.equals("true") && !cache.equals("false")) {
			throw ApiException.invalid("'cache' must be true or false");
		}
		return new JobRequest(model, (version == null || version.isBlank()) ? null : version,
				metadataParameter(value(parameters, "metadata")), (callbackUrl != null) ? callbackUrl.strip() : null,
				(window != null) ? completionWindow(JsonNodeFactory.instance.stringNode(window)) : null,
				OutputExpiry.fromQuery(value(parameters, "output_expires_after_anchor"),
						value(parameters, "output_expires_after_seconds")),
				(cache != null) ? Boolean.valueOf(cache) : null);
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
