package dev.batchline.api.rest;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.tenant.ApiKeyManagement;
import dev.batchline.api.tenant.ApiKeyManagement.KeyView;
import dev.batchline.api.tenant.ApiKeyManagement.NewKey;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.tenant.Scope;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's API keys ({@code keys:manage}): make one (its secret shown once), list them,
 * rotate one with an overlap, revoke one.
 */
@RestController
class ApiKeyController {

	private final ApiKeyManagement keys;

	ApiKeyController(ApiKeyManagement keys) {
		this.keys = keys;
	}

	/**
	 * A key to make.
	 *
	 * @param scopes its scopes ({@code jobs:read} …), or null for every scope
	 * @param expiresAt when it stops working (ISO-8601), or null for never
	 */
	record CreateKey(String name, List<String> scopes, String expiresAt) {
	}

	record Rotate(Long overlapSeconds) {
	}

	@PostMapping("/v1/api-keys")
	@ResponseStatus(HttpStatus.CREATED)
	Map<String, Object> create(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller,
			@RequestBody CreateKey request) {
		NewKey made = this.keys.create(caller.tenantId(), request.name(), scopes(request.scopes()),
				instant(request.expiresAt()), caller.actor());
		return Map.of("key", made.key(), "api_key", made.secret());
	}

	@GetMapping("/v1/api-keys")
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller) {
		return Map.of("data", this.keys.list(caller.tenantId()));
	}

	@DeleteMapping("/v1/api-keys/{id}")
	KeyView revoke(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller, @PathVariable UUID id) {
		return this.keys.revoke(caller.tenantId(), id, caller.actor());
	}

	/** Rotates a key; without a body, the old key stops at once. */
	@PostMapping("/v1/api-keys/{id}/rotate")
	@ResponseStatus(HttpStatus.CREATED)
	Map<String, Object> rotate(@RequestAttribute(ApiKeyAuthentication.CALLER) Caller caller, @PathVariable UUID id,
			@RequestBody(required = false) Rotate request) {
		long overlap = (request != null && request.overlapSeconds() != null) ? request.overlapSeconds() : 0;
		NewKey successor = this.keys.rotate(caller.tenantId(), id, Duration.ofSeconds(overlap), caller.actor());
		return Map.of("key", successor.key(), "api_key", successor.secret());
	}

	private static Set<Scope> scopes(List<String> names) {
		if (names == null) {
			return Scope.all();
		}
		Set<Scope> scopes = EnumSet.noneOf(Scope.class);
		for (String name : names) {
			scopes.add(Scope.of(name)
				.orElseThrow(() -> ApiException.invalid("unknown scope '" + name + "'; the scopes are "
						+ Scope.all().stream().map(Scope::value).toList())));
		}
		return scopes;
	}

	private static Instant instant(String value) {
		if (value == null) {
			return null;
		}
		try {
			return Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw ApiException.invalid("'expires_at' must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
		}
	}

}
