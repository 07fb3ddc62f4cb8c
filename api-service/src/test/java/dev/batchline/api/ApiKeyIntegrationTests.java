package dev.batchline.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.batchline.api.tenant.Scope;
import dev.batchline.testsupport.TestKafka;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * API keys with scopes against a real PostgreSQL and Kafka: every endpoint of the REST
 * API against every scope (the table below names each endpoint's scope, and fails when an
 * endpoint is missing from it), a key's life (made, used, rotated with an overlap,
 * expired, revoked), revocation seen by a second api-service within a second, and the
 * audit log.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.limits.enabled=false",
				"batchline.topics.prefix=keys-it", "batchline.topics.partitions=2", "spring.grpc.server.port=0" })
class ApiKeyIntegrationTests extends ApiIntegrationTest {

	/** Every tenant endpoint and the scope it needs. */
	private static final Map<String, Scope> SCOPES = table();

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	@Autowired
	Environment environment;

	/** One key for each set of scopes (a tenant holds at most 100). */
	private final Map<Set<Scope>, ApiClient> keysByScopes = new java.util.HashMap<>();

	ApiKeyIntegrationTests() {
		super("keys-it", null);
	}

	private static Map<String, Scope> table() {
		Map<String, Scope> table = new LinkedHashMap<>();
		for (String read : List.of("/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/results", "/v1/jobs/{id}/errors",
				"/v1/jobs/{id}/events", "/v1/models", "/v1/models/{name}", "/v1/models/{model}/versions/{version}",
				"/v1/models/{model}/labels/{version}", "/v1/models/{model}/metadata",
				"/v1/models/{model}/versions/{version}/metadata", "/v1/models/{model}/labels/{version}/metadata",
				"/v1/files/{id}", "/v1/files/{id}/content", "/v1/batches", "/v1/batches/{id}", "/v2",
				"/v2/models/{model}", "/v2/models/{model}/versions/{version}", "/v2/models/{model}/ready",
				"/v2/models/{model}/versions/{version}/ready")) {
			table.put("GET " + read, Scope.JOBS_READ);
		}
		for (String write : List.of("/v1/jobs", "/v1/jobs/{id}/cancel", "/v1/files", "/v1/batches",
				"/v1/batches/{id}/cancel", "/v1/models/{model}:predict",
				"/v1/models/{model}/versions/{version}:predict", "/v1/models/{model}/labels/{version}:predict",
				"/v2/models/{model}/infer", "/v2/models/{model}/versions/{version}/infer")) {
			table.put("POST " + write, Scope.JOBS_WRITE);
		}
		table.put("DELETE /v1/files/{id}", Scope.JOBS_WRITE);
		for (String read : List.of("/v1/webhook-endpoints", "/v1/webhook-endpoints/{id}",
				"/v1/webhook-endpoints/{id}/public-key", "/v1/webhook-deliveries", "/v1/webhook-deliveries/{id}",
				"/v1/webhook-event-types", "/v1/webhook-event-types/{name}")) {
			table.put("GET " + read, Scope.WEBHOOKS_READ);
		}
		for (String write : List.of("POST /v1/webhook-endpoints", "PATCH /v1/webhook-endpoints/{id}",
				"DELETE /v1/webhook-endpoints/{id}", "POST /v1/webhook-endpoints/{id}/replay",
				"POST /v1/webhook-endpoints/{id}/public-key/rotate", "POST /v1/webhook-deliveries/{id}/replay",
				"GET /v1/webhook-endpoints/{id}/secret", "POST /v1/webhook-endpoints/{id}/secret/rotate",
				"GET /v1/callback-secret", "POST /v1/callback-secret/rotate", "GET /v1/webhook-secret",
				"POST /v1/webhook-secret/rotate")) {
			table.put(write, Scope.WEBHOOKS_WRITE);
		}
		for (String keys : List.of("POST /v1/api-keys", "GET /v1/api-keys", "DELETE /v1/api-keys/{id}",
				"POST /v1/api-keys/{id}/rotate")) {
			table.put(keys, Scope.KEYS_MANAGE);
		}
		return table;
	}

	@Test
	void everyEndpointNeedsItsScopeAndNoOther() {
		List<String> served = endpoints();
		assertThat(SCOPES.keySet()).as("endpoints missing from the table of scopes").containsAll(served);
		assertThat(served).as("the table names endpoints that do not exist").containsAll(SCOPES.keySet());
		List<String> failures = new ArrayList<>();
		for (Map.Entry<String, Scope> endpoint : SCOPES.entrySet()) {
			String method = endpoint.getKey().substring(0, endpoint.getKey().indexOf(' '));
			String path = endpoint.getKey()
				.substring(method.length() + 1)
				.replaceAll("\\{(id)\\}", UUID.randomUUID().toString())
				.replaceAll("\\{[a-z]+\\}", "iris");
			Scope needed = endpoint.getValue();
			ApiClient only = keyWith(EnumSet.of(needed));
			ApiClient allBut = keyWith(EnumSet.complementOf(EnumSet.of(needed)));
			ApiClient.Response refused = send(allBut, method, path);
			if (refused.status() != 403 || !refused.body().contains(needed.value())) {
				failures.add(endpoint.getKey() + " without " + needed.value() + " answered " + refused.status());
			}
			ApiClient.Response allowed = send(only, method, path);
			if (allowed.status() == 403 || allowed.status() == 401) {
				failures.add(endpoint.getKey() + " with only " + needed.value() + " answered " + allowed.status() + " "
						+ allowed.body());
			}
		}
		assertThat(failures).isEmpty();
		// GraphQL (a router, not a controller) needs jobs:read at the door, and each
		// mutation its own scope
		ApiClient.Response refused = keyWith(EnumSet.of(Scope.JOBS_WRITE)).post("/graphql",
				"{\"query\": \"{ models { name } }\"}");
		assertThat(refused.status()).isEqualTo(403);
		JsonNode mutation = keyWith(EnumSet.of(Scope.JOBS_READ))
			.post("/graphql", "{\"query\": \"mutation { cancelJob(id: \\\"" + UUID.randomUUID() + "\\\") { id } }\"}")
			.json();
		assertThat(mutation.get("errors").get(0).get("extensions").get("code").asString())
			.isEqualTo("insufficient-scope");
	}

	@Test
	void aKeysLifeFromItsMakingThroughRotationToItsRevocationIsAudited() throws Exception {
		ApiClient manager = keyWith(EnumSet.of(Scope.KEYS_MANAGE));
		ApiClient.Response made = manager.post("/v1/api-keys",
				"{\"name\": \"ci reader\", \"scopes\": [\"jobs:read\"]}");
		assertThat(made.status()).as(made.body()).isEqualTo(201);
		String secret = made.json().get("api_key").asString();
		String id = made.json().get("key").get("id").asString();
		assertThat(made.json().get("key").get("scopes").toString()).isEqualTo("[\"jobs:read\"]");
		ApiClient reader = this.api.withToken(secret);
		assertThat(reader.get("/v1/jobs").status()).isEqualTo(200);
		JsonNode listed = manager.get("/v1/api-keys").json().get("data");
		JsonNode key = find(listed, id);
		assertThat(key.get("name").asString()).isEqualTo("ci reader");
		assertThat(key.get("prefix").asString()).isEqualTo(secret.substring(0, 8));
		assertThat(key.get("last_used_at").isNull()).isFalse();
		assertThat(listed.toString()).doesNotContain(secret);

		// rotated with a 2 s overlap: both work, then only the new one
		ApiClient.Response rotated = manager.post("/v1/api-keys/" + id + "/rotate", "{\"overlap_seconds\": 2}");
		assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
		ApiClient successor = this.api.withToken(rotated.json().get("api_key").asString());
		assertThat(successor.get("/v1/jobs").status()).isEqualTo(200);
		assertThat(reader.get("/v1/jobs").status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5)).until(() -> reader.get("/v1/jobs").status() == 401);
		assertThat(successor.get("/v1/jobs").status()).isEqualTo(200);
		ApiClient.assertProblem(manager.post("/v1/api-keys/" + id + "/rotate", "{}"), 409, "key-revoked", null);

		// revoked: refused within a second
		String successorId = rotated.json().get("key").get("id").asString();
		assertThat(manager.delete("/v1/api-keys/" + successorId).status()).isEqualTo(200);
		await().atMost(Duration.ofMillis(1500)).until(() -> successor.get("/v1/jobs").status() == 401);

		// an expiry
		String soon = Instant.now().plusSeconds(2).toString();
		ApiClient expiring = this.api
			.withToken(manager.post("/v1/api-keys", "{\"name\": \"short\", \"expires_at\": \"" + soon + "\"}")
				.json()
				.get("api_key")
				.asString());
		assertThat(expiring.get("/v1/jobs").status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5)).until(() -> expiring.get("/v1/jobs").status() == 401);

		ApiClient.assertProblem(manager.post("/v1/api-keys", "{\"name\": \"x\", \"scopes\": [\"jobs:everything\"]}"),
				422, "invalid-request", "unknown scope");
		ApiClient.assertProblem(
				manager.post("/v1/api-keys", "{\"name\": \"x\", \"expires_at\": \"2001-01-01T00:00:00Z\"}"), 422,
				"invalid-request", "future");
		ApiClient.assertProblem(manager.post("/v1/api-keys", "{\"name\": \"\"}"), 422, "invalid-request", "name");
		ApiClient.assertProblem(ApiClient.newTenant(this.port).delete("/v1/api-keys/" + id), 404, "not-found", null);

		JsonNode audit = this.api.withToken("test-admin-token")
			.get("/v1/admin/audit-log?limit=1000")
			.json()
			.get("data");
		List<String> actions = new ArrayList<>();
		audit.forEach((entry) -> {
			if (id.equals(entry.get("target").asString(null))
					|| successorId.equals(entry.get("target").asString(null))) {
				actions.add(entry.get("action").asString());
			}
		});
		assertThat(actions).containsExactly("api_key.revoked", "api_key.rotated", "api_key.created");
		assertThat(audit.toString()).doesNotContain(secret);
	}

	@Test
	void aKeyRevokedOnOneApiServiceIsRefusedByAnotherWithinASecond() {
		// as command-line arguments, which win over application.yaml as in production
		try (ConfigurableApplicationContext second = new SpringApplicationBuilder(ApiApplication.class).run(
				"--server.port=0", "--spring.grpc.server.port=0", "--batchline.api.admin-token=test-admin-token",
				"--batchline.api.limits.enabled=false", "--batchline.topics.prefix=keys-it",
				"--spring.datasource.url=" + this.environment.getProperty("spring.datasource.url"),
				"--spring.datasource.username=" + this.environment.getProperty("spring.datasource.username"),
				"--spring.datasource.password=" + this.environment.getProperty("spring.datasource.password"),
				"--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers())) {
			int port = ((WebServerApplicationContext) second).getWebServer().getPort();
			ApiClient manager = keyWith(EnumSet.of(Scope.KEYS_MANAGE, Scope.JOBS_READ));
			ApiClient.Response made = manager.post("/v1/api-keys", "{\"name\": \"both\"}");
			String secret = made.json().get("api_key").asString();
			ApiClient onSecond = new ApiClient("http://localhost:" + port, secret);
			assertThat(onSecond.get("/v1/jobs").status()).isEqualTo(200);
			assertThat(this.api.withToken(secret).get("/v1/jobs").status()).isEqualTo(200);
			assertThat(manager.delete("/v1/api-keys/" + made.json().get("key").get("id").asString()).status())
				.isEqualTo(200);
			long revoked = System.nanoTime();
			await().atMost(Duration.ofMillis(1500))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> onSecond.get("/v1/jobs").status() == 401);
			assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThan(Duration.ofMillis(1500));
		}
	}

	/**
	 * The tenant endpoints this service serves, as {@code METHOD /path}: all but the
	 * admin's and the public ones (health, the OpenAPI document and its Swagger UI).
	 */
	private List<String> endpoints() {
		List<String> endpoints = new ArrayList<>();
		for (RequestMappingInfo info : this.mappings.getHandlerMethods().keySet()) {
			Set<String> patterns = info.getPatternValues();
			Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
			for (String pattern : patterns) {
				if (pattern.startsWith("/v1/admin") || pattern.startsWith("/v2/health") || pattern.equals("/error")
						|| pattern.startsWith("/v3/api-docs") || pattern.equals("/docs")
						|| pattern.startsWith("/swagger-ui") || pattern.equals("/livez") || pattern.equals("/readyz")) {
					continue;
				}
				methods.forEach((method) -> endpoints.add(method + " " + pattern));
			}
		}
		return endpoints.stream().distinct().sorted().collect(Collectors.toList());
	}

	private ApiClient keyWith(Set<Scope> scopes) {
		return this.keysByScopes.computeIfAbsent(EnumSet.copyOf(scopes), this::newKeyWith);
	}

	private ApiClient newKeyWith(Set<Scope> scopes) {
		String names = scopes.stream().map((scope) -> "\"" + scope.value() + "\"").collect(Collectors.joining(","));
		ApiClient.Response made = this.api.post("/v1/api-keys", "{\"name\": \"test\", \"scopes\": [" + names + "]}");
		assertThat(made.status()).as(made.body()).isEqualTo(201);
		return this.api.withToken(made.json().get("api_key").asString());
	}

	private static ApiClient.Response send(ApiClient client, String method, String path) {
		String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
		return client.exchange(method, path, (body != null) ? "application/json" : null, body, Map.of());
	}

	private static JsonNode find(JsonNode keys, String id) {
		for (JsonNode key : keys) {
			if (key.get("id").asString().equals(id)) {
				return key;
			}
		}
		throw new AssertionError("no key " + id + " in " + keys);
	}

}
