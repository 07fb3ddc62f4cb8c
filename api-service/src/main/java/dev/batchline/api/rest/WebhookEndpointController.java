package dev.batchline.api.rest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.IdempotencyKeys;
import dev.batchline.api.system.PublicUrls;
import dev.batchline.api.tenant.AuditLog;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.webhook.EndpointRequest;
import dev.batchline.api.webhook.PublicKeys;
import dev.batchline.api.webhook.WebhookEndpoint;
import dev.batchline.api.webhook.WebhookEndpointManagement;
import dev.batchline.contracts.webhooks.SigningSecrets;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's webhook endpoints and their secrets. A secret is shown when the endpoint is
 * registered and on the secret endpoints, never in the endpoint views, so listing
 * endpoints (e.g. in a dashboard) does not spread them. A {@code v1a} endpoint's public
 * key is no secret: every view shows it; its private key is never shown.
 */
@RestController
class WebhookEndpointController {

	private final WebhookEndpointManagement endpoints;

	private final IdempotencyKeys idempotencyKeys;

	private final AuditLog audit;

	WebhookEndpointController(WebhookEndpointManagement endpoints, IdempotencyKeys idempotencyKeys, AuditLog audit) {
		this.audit = audit;
		this.idempotencyKeys = idempotencyKeys;
		this.endpoints = endpoints;
	}

	/**
	 * An endpoint as the API shows it.
	 *
	 * @param id the endpoint id
	 * @param url where deliveries go
	 * @param eventTypes the event types it receives
	 * @param enabled whether it receives deliveries
	 * @param disabledReason why it was disabled without the tenant asking
	 * @param description the tenant's note
	 * @param rateLimit messages per second at most, or null for no limit
	 * @param signatureScheme {@code v1} or {@code v1a}
	 * @param secret the signing secret of a {@code v1} endpoint, only in the answer to
	 * the registration
	 * @param publicKey the current public key of a {@code v1a} endpoint
	 * @param createdAt when it was registered
	 * @param updatedAt when it last changed
	 * @param links where to look next
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record EndpointView(UUID id, String url, List<String> eventTypes, boolean enabled, String disabledReason,
			String description, Integer rateLimit, String signatureScheme, String secret, String publicKey,
			Instant createdAt, Instant updatedAt, Map<String, String> links) {

		static EndpointView of(WebhookEndpoint endpoint, boolean withSecret) {
			String self = PublicUrls.of("/v1/webhook-endpoints/" + endpoint.id());
			String deliveries = PublicUrls.of("/v1/webhook-deliveries?endpoint_id=" + endpoint.id());
			Map<String, String> links = endpoint.asymmetric()
					? Map.of("self", self, "public_key", self + "/public-key", "deliveries", deliveries)
					: Map.of("self", self, "secret", self + "/secret", "deliveries", deliveries);
			return new EndpointView(endpoint.id(), endpoint.url(), endpoint.eventTypes(), endpoint.enabled(),
					endpoint.disabledReason(), endpoint.description(), endpoint.rateLimit(), endpoint.signatureScheme(),
					withSecret ? endpoint.secrets().secret() : null, endpoint.publicKeys().publicKey(),
					endpoint.createdAt(), endpoint.updatedAt(), links);
		}

	}

	@PostMapping("/v1/webhook-endpoints")
	ResponseEntity<?> create(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			@RequestBody JsonNode body) {
		EndpointRequest request = EndpointRequest.create(body);
		return this.idempotencyKeys.run(tenantId.toString(), idempotencyKey, "POST /v1/webhook-endpoints",
				() -> body.toString().getBytes(StandardCharsets.UTF_8), () -> {
					WebhookEndpoint endpoint = this.endpoints.create(tenantId, request);
					return ResponseEntity.created(PublicUrls.uri("/v1/webhook-endpoints/" + endpoint.id()))
						.body(EndpointView.of(endpoint, true));
				});
	}

	@GetMapping("/v1/webhook-endpoints")
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return Map.of("data",
				this.endpoints.list(tenantId).stream().map((endpoint) -> EndpointView.of(endpoint, false)).toList());
	}

	@GetMapping("/v1/webhook-endpoints/{id}")
	EndpointView get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		return EndpointView.of(this.endpoints.get(tenantId, id), false);
	}

	@PatchMapping("/v1/webhook-endpoints/{id}")
	EndpointView update(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestBody JsonNode body) {
		return EndpointView.of(this.endpoints.update(tenantId, id, EndpointRequest.patch(body)), false);
	}

	@DeleteMapping("/v1/webhook-endpoints/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void delete(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		this.endpoints.delete(tenantId, id);
	}

	@GetMapping("/v1/webhook-endpoints/{id}/secret")
	SigningSecrets secret(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller, @PathVariable UUID id) {
		SigningSecrets secrets = this.endpoints.secrets(caller.tenantId(), id);
		this.audit.record(caller.actor(), caller.tenantId(), "endpoint_secret.read", id.toString(), null);
		return secrets;
	}

	@PostMapping("/v1/webhook-endpoints/{id}/secret/rotate")
	SigningSecrets rotate(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller, @PathVariable UUID id) {
		SigningSecrets secrets = this.endpoints.rotate(caller.tenantId(), id);
		this.audit.record(caller.actor(), caller.tenantId(), "endpoint_secret.rotated", id.toString(), null);
		return secrets;
	}

	@GetMapping("/v1/webhook-endpoints/{id}/public-key")
	PublicKeys publicKey(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		return this.endpoints.publicKeys(tenantId, id);
	}

	@PostMapping("/v1/webhook-endpoints/{id}/public-key/rotate")
	PublicKeys rotateKeys(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller, @PathVariable UUID id) {
		PublicKeys keys = this.endpoints.rotateKeys(caller.tenantId(), id);
		this.audit.record(caller.actor(), caller.tenantId(), "endpoint_signing_key.rotated", id.toString(), null);
		return keys;
	}

}
