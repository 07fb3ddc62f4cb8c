package dev.batchline.api.rest;

import java.util.List;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.webhooks.WebhookEventTypes;
import dev.batchline.contracts.webhooks.WebhookEventTypes.EventType;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The event catalog: every webhook event type with its payload's JSON Schema and an
 * example. The same for every tenant; read from {@code contracts}, whose tests validate
 * the payloads against the same schemas.
 */
@RestController
class WebhookEventTypeController {

	@GetMapping("/v1/webhook-event-types")
	Map<String, List<EventType>> list() {
		return Map.of("data", WebhookEventTypes.all());
	}

	@GetMapping("/v1/webhook-event-types/{name}")
	EventType get(@PathVariable String name) {
		return WebhookEventTypes.find(name)
			.orElseThrow(() -> ApiException.notFound("Webhook event type '" + name + "'"));
	}

}
