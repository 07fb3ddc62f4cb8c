package dev.batchline.api.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.quota.LimitOverrides;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.tenant.AuditLog;
import dev.batchline.api.tenant.TenantManagement;
import dev.batchline.api.tenant.TenantReads;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin endpoints (bearer = the admin token, checked by the authentication filter, which
 * marks the request with {@link ApiKeyAuthentication#ADMIN}: a request without the mark
 * never gets here).
 */
@RestController
class AdminController {

	private static final int MAX_NAME_LENGTH = 200;

	private static final int MAX_PAGE_SIZE = 100;

	private final TenantManagement tenants;

	private final TenantReads tenantReads;

	private final Quotas quotas;

	private final AuditLog audit;

	AdminController(TenantManagement tenants, TenantReads tenantReads, Quotas quotas, AuditLog audit) {
		this.tenants = tenants;
		this.tenantReads = tenantReads;
		this.quotas = quotas;
		this.audit = audit;
	}

	/** {@code GET /v1/admin/tenants}: the tenants, newest first, in cursor pages. */
	@GetMapping("/v1/admin/tenants")
	Map<String, Object> listTenants(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin,
			@RequestParam(required = false) String cursor, @RequestParam(defaultValue = "20") int limit) {
		if (limit < 1 || limit > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		TenantReads.Page page = this.tenantReads.page(cursor, limit);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("data", page.tenants());
		body.put("next_cursor", page.nextCursor());
		return body;
	}

	record CreateTenant(String name) {
	}

	@PostMapping("/v1/admin/tenants")
	@ResponseStatus(HttpStatus.CREATED)
	Map<String, Object> createTenant(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin,
			@RequestBody(required = false) CreateTenant request) {
		String name = (request != null && request.name() != null)
				? ApiException.requireText("name", request.name().strip(), MAX_NAME_LENGTH) : "";
		if (name.isEmpty()) {
			name = "tenant";
		}
		TenantManagement.NewTenant tenant = this.tenants.createTenant(name);
		return Map.of("tenant_id", tenant.tenantId(), "name", tenant.name(), "api_key", tenant.apiKey());
	}

	/**
	 * {@code GET /v1/admin/tenants/{id}/limits}: the tenant's limits in force and those
	 * set for it (null: the default).
	 */
	@GetMapping("/v1/admin/tenants/{id}/limits")
	Map<String, Object> limits(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin, @PathVariable UUID id) {
		return Map.of("limits", this.quotas.limits(id), "overrides", this.quotas.overrides(id));
	}

	/**
	 * {@code PUT /v1/admin/tenants/{id}/limits}: sets the tenant's own limits; a field
	 * left out or null keeps the default.
	 */
	@PutMapping("/v1/admin/tenants/{id}/limits")
	Map<String, Object> setLimits(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin, @PathVariable UUID id,
			@RequestBody LimitOverrides overrides) {
		this.quotas.setOverrides(id, overrides);
		this.audit.record(AuditLog.ADMIN, id, "tenant.limits_set", id.toString(), String.valueOf(overrides));
		return limits(admin, id);
	}

	/**
	 * {@code GET /v1/admin/audit-log}: who did what to tenants, keys and secrets, newest
	 * first; {@code before} is the last entry's id of the previous page.
	 */
	@GetMapping("/v1/admin/audit-log")
	Map<String, Object> auditLog(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin,
			@RequestParam(required = false) Long before,
			@RequestParam(name = "tenant_id", required = false) UUID tenantId,
			@RequestParam(defaultValue = "100") int limit) {
		if (limit < 1 || limit > 1000) {
			throw ApiException.badRequest("'limit' must be between 1 and 1000");
		}
		List<AuditLog.Entry> entries = this.audit.page(before, tenantId, limit);
		Map<String, Object> page = new LinkedHashMap<>();
		page.put("data", entries);
		page.put("next_before", (entries.size() == limit) ? entries.get(entries.size() - 1).id() : null);
		return page;
	}

}
