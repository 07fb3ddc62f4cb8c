package dev.batchline.api.rest;

import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.tenant.TenantManagement;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
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

	private final TenantManagement tenants;

	AdminController(TenantManagement tenants) {
		this.tenants = tenants;
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

}
