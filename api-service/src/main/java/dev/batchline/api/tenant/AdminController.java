package dev.batchline.api.tenant;

import java.util.Map;

import dev.batchline.api.system.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin endpoints (bearer = the admin token, checked by the authentication filter).
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
	Map<String, Object> createTenant(@RequestBody(required = false) CreateTenant request) {
		String name = (request != null && request.name() != null) ? request.name().strip() : "";
		if (name.length() > MAX_NAME_LENGTH) {
			throw ApiException.invalid("name must be at most " + MAX_NAME_LENGTH + " characters");
		}
		if (name.isEmpty()) {
			name = "tenant";
		}
		TenantManagement.NewTenant tenant = this.tenants.createTenant(name);
		return Map.of("tenant_id", tenant.tenantId(), "name", tenant.name(), "api_key", tenant.apiKey());
	}

}
