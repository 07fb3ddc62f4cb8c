package dev.batchline.api.rest;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.Instants;
import dev.batchline.api.system.PublicUrls;
import dev.batchline.api.webhook.WebhookDeliveries;
import dev.batchline.api.webhook.WebhookDelivery;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The delivery log and replays: {@code GET /v1/webhook-deliveries}, {@code GET
 * /v1/webhook-deliveries/{id}}, {@code POST /v1/webhook-deliveries/{id}/replay} and
 * {@code POST /v1/webhook-endpoints/{id}/replay?since=…}. Replays answer 202 Accepted:
 * the dispatcher performs them, soon but not before the answer.
 */
@RestController
class WebhookDeliveryController {

	private static final int MAX_PAGE_SIZE = 100;

	private final WebhookDeliveries deliveries;

	private final Quotas quotas;

	WebhookDeliveryController(WebhookDeliveries deliveries, Quotas quotas) {
		this.quotas = quotas;
		this.deliveries = deliveries;
	}

	@GetMapping("/v1/webhook-deliveries")
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestParam(name = "job_id", required = false) UUID jobId,
			@RequestParam(name = "endpoint_id", required = false) UUID endpointId,
			@RequestParam(required = false) String status, @RequestParam(required = false) String cursor,
			@RequestParam(defaultValue = "20") int limit) {
		if (limit < 1 || limit > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		WebhookDeliveries.Filter filter = new WebhookDeliveries.Filter(jobId, endpointId, status(status));
		WebhookDeliveries.Page page = this.deliveries.page(tenantId, filter, cursor, limit);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("data", page.deliveries());
		body.put("next_cursor", page.nextCursor());
		return body;
	}

	@GetMapping("/v1/webhook-deliveries/{id}")
	WebhookDelivery get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		return this.deliveries.get(tenantId, id);
	}

	@PostMapping("/v1/webhook-deliveries/{id}/replay")
	ResponseEntity<WebhookDeliveries.ReplayAccepted> replay(
			@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		this.quotas.replay(tenantId);
		return ResponseEntity.accepted()
			.location(PublicUrls.uri("/v1/webhook-deliveries/" + id))
			.body(this.deliveries.replay(tenantId, id));
	}

	@PostMapping("/v1/webhook-endpoints/{id}/replay")
	@ResponseStatus(HttpStatus.ACCEPTED)
	WebhookDeliveries.ReplayAccepted replayEndpoint(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id, @RequestParam(required = false) String since) {
		if (since == null || since.isBlank()) {
			throw ApiException.badRequest("'since' is required: an ISO-8601 instant such as 2026-11-22T10:00:00Z");
		}
		Instant from = Instants.parse("since", since);
		this.quotas.replay(tenantId);
		return this.deliveries.replayFailed(tenantId, id, from);
	}

	private static WebhookDelivery.Status status(String status) {
		if (status == null) {
			return null;
		}
		try {
			return WebhookDelivery.Status.valueOf(status.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw ApiException
				.badRequest("'status' must be one of " + Arrays.toString(WebhookDelivery.Status.values()));
		}
	}

}
