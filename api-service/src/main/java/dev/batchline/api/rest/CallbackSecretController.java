package dev.batchline.api.rest;

import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.DeprecatedOperation;
import dev.batchline.api.http.Deprecation;
import dev.batchline.api.webhook.CallbackSecrets;
import dev.batchline.contracts.webhooks.SigningSecrets;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's secret for jobs' own callback URLs ({@code "callback": {"url": …}} on a
 * job), which have no endpoint and so no secret of their own. Its first path,
 * {@code /v1/webhook-secret}, still answers, deprecated
 * ({@link Deprecation#WEBHOOK_SECRET_PATH}).
 */
@RestController
class CallbackSecretController {

	private final CallbackSecrets secrets;

	CallbackSecretController(CallbackSecrets secrets) {
		this.secrets = secrets;
	}

	@GetMapping("/v1/callback-secret")
	SigningSecrets secret(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return this.secrets.secrets(tenantId);
	}

	@PostMapping("/v1/callback-secret/rotate")
	SigningSecrets rotate(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return this.secrets.rotate(tenantId);
	}

	@GetMapping("/v1/webhook-secret")
	@DeprecatedOperation(Deprecation.WEBHOOK_SECRET_PATH)
	SigningSecrets secretAtOldPath(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return secret(tenantId);
	}

	@PostMapping("/v1/webhook-secret/rotate")
	@DeprecatedOperation(Deprecation.WEBHOOK_SECRET_PATH)
	SigningSecrets rotateAtOldPath(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId) {
		return rotate(tenantId);
	}

}
