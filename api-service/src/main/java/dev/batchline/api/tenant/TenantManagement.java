package dev.batchline.api.tenant;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.WebhookSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenants: each made with its first API key (every scope) and the secret that signs its
 * jobs' callbacks. Keys: {@link ApiKeyManagement}.
 */
@Service
public class TenantManagement {

	private static final Logger log = LoggerFactory.getLogger(TenantManagement.class);

	private final TenantRepository tenants;

	private final ApiKeyManagement keys;

	private final AuditLog audit;

	private final Clock clock;

	private final SecretBox box;

	TenantManagement(TenantRepository tenants, ApiKeyManagement keys, AuditLog audit, SecretBox box, Clock clock) {
		this.tenants = tenants;
		this.box = box;
		this.keys = keys;
		this.audit = audit;
		this.clock = clock;
	}

	/**
	 * A tenant and its first API key.
	 *
	 * @param tenantId the tenant
	 * @param name the tenant's name
	 * @param apiKey the key, in clear: this is the only time it is shown
	 */
	public record NewTenant(UUID tenantId, String name, String apiKey) {
	}

	/**
	 * Creates a tenant with one API key of every scope and the secret that signs its
	 * jobs' callbacks (the dispatcher needs it before anyone asks to see it).
	 */
	@Transactional
	public NewTenant createTenant(String name) {
		Instant now = this.clock.instant();
		Tenant tenant = this.tenants
			.save(new Tenant(UUID.randomUUID(), name, this.box.seal(WebhookSecret.generate().value()), now));
		ApiKeyManagement.NewKey key = this.keys.make(tenant.getId(), "default", Scope.all(), null, now);
		this.audit.record(AuditLog.ADMIN, tenant.getId(), "tenant.created", tenant.getId().toString(),
				"name '" + name + "', first key " + key.key().id());
		log.info("Tenant(id={}) created with name '{}'", tenant.getId(), name);
		return new NewTenant(tenant.getId(), name, key.secret());
	}

}
