package dev.batchline.api.webhook;

import java.util.List;

import dev.batchline.api.system.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * A parsed body of {@code POST} or {@code PATCH /v1/webhook-endpoints}. Read from the
 * JSON tree rather than bound to a record, so that a PATCH can tell a field left out
 * (keep) from a field set to null (clear) and every mistake is a 422 naming the field.
 *
 * @param url the new URL, or null to keep it
 * @param eventTypes the new event types, or null to keep them
 * @param enabled the new enabled flag, or null to keep it
 * @param descriptionGiven whether {@code description} was given (it may be null)
 * @param description the new description
 * @param rateLimitGiven whether {@code rate_limit} was given (it may be null)
 * @param rateLimit the new rate limit in messages per second; null for none
 * @param signatureScheme {@code v1} or {@code v1a}; only at registration
 */
public record EndpointRequest(String url, List<String> eventTypes, Boolean enabled, boolean descriptionGiven,
		String description, boolean rateLimitGiven, Integer rateLimit, String signatureScheme) {

	static final int MAX_DESCRIPTION_LENGTH = 1000;

	/** The highest rate limit an endpoint can have, in messages per second. */
	static final int MAX_RATE_LIMIT = 10_000;

	private static final List<String> FIELDS = List.of("url", "event_types", "description", "enabled", "rate_limit",
			"signature_scheme");

	/** A registration: {@code url} is required, the rest have defaults. */
	public static EndpointRequest create(JsonNode body) {
		EndpointRequest request = read(body);
		if (request.url() == null) {
			throw ApiException.invalid("'url' is required");
		}
		return new EndpointRequest(request.url(),
				(request.eventTypes() != null) ? request.eventTypes() : EventTypes.DEFAULT,
				(request.enabled() != null) ? request.enabled() : Boolean.TRUE, true, request.description(), true,
				request.rateLimit(),
				(request.signatureScheme() != null) ? request.signatureScheme() : WebhookEndpoint.V1);
	}

	/**
	 * A change: every field is optional. The signature scheme cannot change: receivers
	 * verify with the key of one scheme, so switching would fail every message until they
	 * changed too; a new endpoint with the other scheme can run next to the old one.
	 */
	public static EndpointRequest patch(JsonNode body) {
		EndpointRequest request = read(body);
		if (request.signatureScheme() != null) {
			throw ApiException.invalid("'signature_scheme' is chosen at registration and cannot change;"
					+ " register a new endpoint with the other scheme");
		}
		return request;
	}

	private static EndpointRequest read(JsonNode body) {
		if (body == null || !body.isObject()) {
			throw ApiException.badRequest("The request body must be a JSON object");
		}
		for (String field : body.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw ApiException.invalid("unknown field '" + field + "'; the fields are " + FIELDS);
			}
		}
		String url = null;
		JsonNode urlNode = body.get("url");
		if (urlNode != null) {
			if (!urlNode.isString() || urlNode.asString().isBlank()) {
				throw ApiException.invalid("'url' must be an http or https URL");
			}
			url = urlNode.asString().strip();
		}
		JsonNode types = body.get("event_types");
		List<String> eventTypes = (types != null) ? EventTypes.parse(types) : null;
		JsonNode enabledNode = body.get("enabled");
		if (enabledNode != null && !enabledNode.isBoolean()) {
			throw ApiException.invalid("'enabled' must be true or false");
		}
		JsonNode descriptionNode = body.get("description");
		String description = null;
		if (descriptionNode != null && !descriptionNode.isNull()) {
			if (!descriptionNode.isString()) {
				throw ApiException.invalid("'description' must be a string");
			}
			description = ApiException.requireText("description", descriptionNode.asString(), MAX_DESCRIPTION_LENGTH);
		}
		JsonNode rateLimitNode = body.get("rate_limit");
		Integer rateLimit = null;
		if (rateLimitNode != null && !rateLimitNode.isNull()) {
			if (!rateLimitNode.isIntegralNumber() || !rateLimitNode.canConvertToInt() || rateLimitNode.intValue() < 1
					|| rateLimitNode.intValue() > MAX_RATE_LIMIT) {
				throw ApiException.invalid("'rate_limit' must be a whole number of messages per second from 1 to "
						+ MAX_RATE_LIMIT + ", or null for none");
			}
			rateLimit = rateLimitNode.intValue();
		}
		JsonNode schemeNode = body.get("signature_scheme");
		if (schemeNode != null
				&& (!schemeNode.isString() || !WebhookEndpoint.SIGNATURE_SCHEMES.contains(schemeNode.asString()))) {
			throw ApiException.invalid("'signature_scheme' must be one of " + WebhookEndpoint.SIGNATURE_SCHEMES);
		}
		return new EndpointRequest(url, eventTypes, (enabledNode != null) ? enabledNode.booleanValue() : null,
				descriptionNode != null, description, rateLimitNode != null, rateLimit,
				(schemeNode != null) ? schemeNode.asString() : null);
	}

}
