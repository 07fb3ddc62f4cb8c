package dev.batchline.api.intake;

import java.time.Duration;
import java.util.Set;

import dev.batchline.api.system.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a submission's {@code output_expires_after}, shaped as OpenAI's Batch API has it:
 * {@code {"anchor": "created_at", "seconds": N}}. As there, the anchor is when the output
 * is complete (for a job: when it finishes), not when the job was submitted. Whether the
 * seconds are within the allowed range is the job core's check.
 */
public final class OutputExpiry {

	/** The one anchor there is. */
	static final String ANCHOR = "created_at";

	private static final String FORM = "'output_expires_after' must be {\"anchor\": \"created_at\", \"seconds\": N}";

	private OutputExpiry() {
	}

	/**
	 * @param value the body's field, may be null
	 * @return the retention, or null when not given
	 * @throws ApiException 422 for another form
	 */
	public static Duration fromJson(JsonNode value) {
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isObject()) {
			throw ApiException.invalid(FORM);
		}
		for (String field : value.propertyNames()) {
			if (!Set.of("anchor", "seconds").contains(field)) {
				throw ApiException.invalid("unknown field 'output_expires_after." + field + "'; " + FORM);
			}
		}
		JsonNode anchor = value.get("anchor");
		if (anchor == null || !anchor.isString()) {
			throw ApiException.invalid(FORM);
		}
		checkAnchor(anchor.asString());
		JsonNode seconds = value.get("seconds");
		if (seconds == null || !seconds.isIntegralNumber() || !seconds.canConvertToLong()) {
			throw ApiException.invalid(FORM);
		}
		return positive(seconds.longValue());
	}

	/**
	 * The query parameters {@code output_expires_after_anchor} (optional) and
	 * {@code output_expires_after_seconds} of an NDJSON submission.
	 * @return the retention, or null when neither is given
	 * @throws ApiException 422 for a bad value
	 */
	static Duration fromQuery(String anchor, String seconds) {
		if (anchor == null && seconds == null) {
			return null;
		}
		if (anchor != null) {
			checkAnchor(anchor);
		}
		if (seconds == null) {
			throw ApiException.invalid("'output_expires_after_seconds' is required with 'output_expires_after_anchor'");
		}
		try {
			return positive(Long.parseLong(seconds.strip()));
		}
		catch (NumberFormatException ex) {
			throw ApiException.invalid("'output_expires_after_seconds' must be a whole number of seconds");
		}
	}

	private static void checkAnchor(String anchor) {
		if (!ANCHOR.equals(anchor)) {
			throw ApiException.invalid("'output_expires_after' anchor must be \"" + ANCHOR + "\"");
		}
	}

	private static Duration positive(long seconds) {
		if (seconds <= 0) {
			throw ApiException.invalid("'output_expires_after' seconds must be positive");
		}
		return Duration.ofSeconds(seconds);
	}

}
