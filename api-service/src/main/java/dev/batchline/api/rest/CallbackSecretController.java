package dev.batchline.api.rest;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.DeprecatedOperation;
import dev.batchline.api.http.Deprecation;
import dev.batchline.api.tenant.AuditLog;
import dev.batchline.api.tenant.Caller;
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

	private final AuditLog audit;

	CallbackSecretController(CallbackSecrets secrets, AuditLog audit) {
		this.secrets = secrets;
		this.audit = audit;
	}

	@GetMapping("/v1/callback-secret")
	SigningSecrets secret(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller) {
		SigningSecrets secrets = this.secrets.secrets(caller.tenantId());
		this.audit.record(caller.actor(), caller.tenantId(), "callback_secret.read", null, null);
		return secrets;
	}

	@PostMapping("/v1/callback-secret/rotate")
	SigningSecrets rotate(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller) {
		SigningSecrets secrets = this.secrets.rotate(caller.tenantId());
		this.audit.record(caller.actor(), caller.tenantId(), "callback_secret.rotated", null, null);
		return secrets;
	}

	@GetMapping("/v1/webhook-secret")
	@DeprecatedOperation(Deprecation.WEBHOOK_SECRET_PATH)
	SigningSecrets secretAtOldPath(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller) {
		return secret(caller);
	}

	@PostMapping("/v1/webhook-secret/rotate")
	@DeprecatedOperation(Deprecation.WEBHOOK_SECRET_PATH)
	SigningSecrets rotateAtOldPath(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller) {
		return rotate(caller);
	}

}
