package dev.batchline.api.rest;

import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.webhook.CallbackSecrets;
import dev.batchline.contracts.webhooks.SigningSecrets;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's secret for jobs' own callback URLs ({@code "callback": {"url": …}} on a
 * job), which have no endpoint and so no secret of their own.
 */
@RestController
class CallbackSecretController {

	private final CallbackSecrets secrets;

	CallbackSecretController(CallbackSecrets secrets) {
		this.secrets = secrets;
	}

	@GetMapping("/v1/webhook-secret")
	SigningSecrets secret(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return this.secrets.secrets(tenantId);
	}

	@PostMapping("/v1/webhook-secret/rotate")
	SigningSecrets rotate(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return this.secrets.rotate(tenantId);
	}

}
