package dev.batchline.api.http;

import java.util.List;
import java.util.Set;

import dev.batchline.api.tenant.Scope;

/**
 * The scope an HTTP request needs, by what it touches and whether it only reads
 * ({@code GET}, {@code HEAD}): one table for every tenant endpoint, checked by
 * {@link ApiKeyAuthentication} before any controller runs. GraphQL needs
 * {@code jobs:read} at the door; its mutations and webhook fields check more.
 */
final class Scopes {

	private static final Set<String> JOBS = Set.of("jobs", "files", "batches", "models");

	private static final Set<String> WEBHOOKS = Set.of("webhook-endpoints", "webhook-deliveries",
			"webhook-event-types");

	/** Reading or rotating a signing secret. */
	private static final Set<String> SECRETS = Set.of("callback-secret", "webhook-secret");

	private Scopes() {
	}

	/**
	 * The scope a tenant request needs.
	 * @param method the HTTP method
	 * @param path the path's segments (as {@link ApiKeyAuthentication#segments} reads
	 * them)
	 * @return the scope, or null for a path that is no endpoint (answered 404)
	 */
	static Scope required(String method, List<String> path) {
		boolean reads = "GET".equals(method) || "HEAD".equals(method);
		if (path.equals(List.of("graphql"))) {
			return Scope.JOBS_READ;
		}
		if (path.isEmpty() || !(path.get(0).equals("v1") || path.get(0).equals("v2"))) {
			return null;
		}
		if (path.get(0).equals("v2")) {
			return reads ? Scope.JOBS_READ : Scope.JOBS_WRITE;
		}
		String resource = (path.size() > 1) ? path.get(1) : "";
		// /v1/models/{m}:predict is a path of its own resource name
		if (resource.startsWith("models")) {
			resource = "models";
		}
		if (resource.equals("api-keys")) {
			return Scope.KEYS_MANAGE;
		}
		if (SECRETS.contains(resource)
				|| (resource.equals("webhook-endpoints") && path.size() > 3 && path.get(3).equals("secret"))) {
			return Scope.WEBHOOKS_WRITE;
		}
		if (WEBHOOKS.contains(resource)) {
			return reads ? Scope.WEBHOOKS_READ : Scope.WEBHOOKS_WRITE;
		}
		if (JOBS.contains(resource)) {
			return reads ? Scope.JOBS_READ : Scope.JOBS_WRITE;
		}
		return null;
	}

}
