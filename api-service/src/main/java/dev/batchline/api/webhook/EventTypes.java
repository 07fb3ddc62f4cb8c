package dev.batchline.api.webhook;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.webhooks.WebhookEventTypes;
import tools.jackson.databind.JsonNode;

/** The event types an endpoint can subscribe to: those of the event catalog. */
final class EventTypes {

	/** Every deliverable type; job.queued and job.running are never delivered. */
	static final List<String> ALL = WebhookEventTypes.names();

	/**
	 * What an endpoint registered without {@code event_types} receives: all but the
	 * opt-in types (progress events, many per job, and operational events such as
	 * webhook.endpoint.disabled).
	 */
	static final List<String> DEFAULT = WebhookEventTypes.all()
		.stream()
		.filter((type) -> !type.optIn())
		.map(WebhookEventTypes.EventType::name)
		.toList();

	private EventTypes() {
	}

	/**
	 * Reads {@code event_types}: a non-empty array of known types, kept in the order
	 * given without repeats.
	 */
	static List<String> parse(JsonNode node) {
		if (!node.isArray() || node.isEmpty()) {
			throw ApiException.invalid("'event_types' must be a non-empty array of event types, e.g. " + DEFAULT);
		}
		Set<String> types = new LinkedHashSet<>();
		for (JsonNode type : node) {
			if (!type.isString() || !ALL.contains(type.asString())) {
				throw new ApiException(ProblemKind.UNKNOWN_EVENT_TYPE,
						"'event_types' holds " + type + ", which is not one of " + ALL);
			}
			types.add(type.asString());
		}
		return List.copyOf(types);
	}

}
