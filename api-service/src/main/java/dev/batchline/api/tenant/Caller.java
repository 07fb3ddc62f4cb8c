package dev.batchline.api.tenant;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;

/**
 * Who sent a request: a tenant's API key or a JWT naming the tenant, with what it may do.
 *
 * @param tenantId the tenant
 * @param actor who it is in the {@link AuditLog}: {@code key:<id>} or
 * {@code jwt:<subject>}
 * @param scopes what the key or token may do
 */
public record Caller(UUID tenantId, String actor, Set<Scope> scopes) {

	public Caller {
		scopes = Set.copyOf(scopes);
	}

	/** Whether the key may do what a scope allows. */
	public boolean may(Scope scope) {
		return this.scopes.contains(scope);
	}

	/**
	 * Checks that the key may do what a scope allows.
	 * @throws ApiException 403 {@code insufficient-scope}
	 */
	public void require(Scope scope) {
		if (!may(scope)) {
			throw new ApiException(ProblemKind.INSUFFICIENT_SCOPE,
					"This API key or token lacks the scope '" + scope.value() + "' (it has "
							+ this.scopes.stream().map(Scope::value).sorted().toList() + ")",
					Map.of("required_scope", scope.value()));
		}
	}

}
