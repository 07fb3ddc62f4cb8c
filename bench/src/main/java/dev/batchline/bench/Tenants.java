package dev.batchline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

/**
 * The bench's own tenants, made through the admin API of the pipeline it started: one
 * whose limits are raised far above what any scenario asks (the scenarios measure the
 * pipeline, not the limits), and tenants with the default limits.
 */
final class Tenants {

	/**
	 * Limits no scenario of the bench reaches: a million requests per second, a billion
	 * items per minute, a million unfinished jobs, a pebibyte stored.
	 */
	static final Map<String, Long> UNTHROTTLED = Map.of("requests_per_second", 1_000_000L, "jobs_per_second",
			1_000_000L, "items_per_minute", 1_000_000_000L, "jobs_in_flight", 1_000_000L, "stored_bytes", 1L << 50);

	/** A tenant and its API key. */
	record Tenant(UUID id, String name, String key) {
	}

	private final Api api;

	private final String adminToken;

	Tenants(Api api, String adminToken) {
		this.api = api;
		this.adminToken = adminToken;
	}

	/** A new tenant with the default limits. */
	Tenant create(String name) throws IOException, InterruptedException {
		JsonNode made = admin("POST", "/v1/admin/tenants", Map.of("name", name), 201);
		return new Tenant(UUID.fromString(made.get("tenant_id").asString()), name, made.get("api_key").asString());
	}

	/** A new tenant whose limits no scenario reaches ({@link #UNTHROTTLED}). */
	Tenant createUnthrottled(String name) throws IOException, InterruptedException {
		return create(name, UNTHROTTLED);
	}

	/** A new tenant with these limits of its own (the others the defaults). */
	Tenant create(String name, Map<String, Long> limits) throws IOException, InterruptedException {
		Tenant tenant = create(name);
		admin("PUT", "/v1/admin/tenants/" + tenant.id() + "/limits", limits, 200);
		return tenant;
	}

	private JsonNode admin(String method, String path, Map<String, ?> body, int expected)
			throws IOException, InterruptedException {
		HttpResponse<byte[]> response = this.api.http()
			.send(HttpRequest.newBuilder(URI.create(this.api.url(path)))
				.header("Authorization", "Bearer " + this.adminToken)
				.header("Content-Type", "application/json")
				.timeout(Duration.ofSeconds(30))
				.method(method, HttpRequest.BodyPublishers.ofByteArray(EventCodec.mapper().writeValueAsBytes(body)))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != expected) {
			throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
		return EventCodec.tree(response.body());
	}

}
