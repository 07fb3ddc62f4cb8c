package dev.batchline.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits and quotas per tenant, over HTTP against a real PostgreSQL (where the
 * buckets are) and Kafka: each limit set low for a tenant of its own through the admin
 * API, then passed; every answer carries the RateLimit headers, and the one past the
 * limit is a 429 problem with {@code Retry-After}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=limits-it",
				"batchline.topics.partitions=1", "batchline.api.limits.failed-auth-per-minute=20" })
class LimitsIntegrationTests extends ApiIntegrationTest {

	LimitsIntegrationTests() {
		super("limits-it", null);
	}

	@Test
	void requestsPastATenantsRateAnswer429WithRetryAfterAndRateLimitHeaders() {
		ApiClient tenant = tenantWith("{\"requests_per_second\": 5}");
		List<ApiClient.Response> answers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			answers.add(tenant.get("/v1/jobs"));
		}
		ApiClient.Response first = answers.get(0);
		assertThat(first.status()).isEqualTo(200);
		assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"requests\";q=5;w=1");
		assertThat(first.headers().firstValue("RateLimit"))
			.hasValueSatisfying((value) -> assertThat(value).matches("\"requests\";r=4;t=\\d+"));
		ApiClient.Response limited = answers.stream()
			.filter((answer) -> answer.status() == 429)
			.findFirst()
			.orElseThrow();
		ApiClient.assertProblem(limited, 429, "rate-limited", "5 requests per second");
		assertThat(limited.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Long.parseLong(seconds)).isPositive());
		assertThat(limited.headers().firstValue("RateLimit"))
			.hasValueSatisfying((value) -> assertThat(value).startsWith("\"requests\";r=0;"));
		assertThat(answers.stream().filter((answer) -> answer.status() == 200).count()).isBetween(5L, 10L);
	}

	@Test
	void aJobCostsItsItemsFromTheItemsPerMinute() {
		ApiClient tenant = tenantWith("{\"items_per_minute\": 10}");
		ApiClient.Response accepted = tenant.post("/v1/jobs", WorkerSide.jobJson(8, null));
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		assertThat(accepted.headers().allValues("RateLimit-Policy")).contains("\"items\";q=10;w=60");
		assertThat(accepted.headers().allValues("RateLimit"))
			.anySatisfy((value) -> assertThat(value).startsWith("\"items\";r=2;"));
		ApiClient.assertProblem(tenant.post("/v1/jobs", WorkerSide.jobJson(8, null)), 429, "rate-limited",
				"10 items per minute");
		ApiClient.assertProblem(tenant.post("/v1/jobs", WorkerSide.jobJson(11, null)), 413, "too-many-items",
				"split it");
		assertThat(tenant.post("/v1/jobs", WorkerSide.jobJson(2, null)).status()).isEqualTo(202);
	}

	@Test
	void quotasOfJobsInFlightStoredBytesAndWebhookEndpoints() {
		ApiClient oneJob = tenantWith("{\"jobs_in_flight\": 1}");
		assertThat(oneJob.post("/v1/jobs", WorkerSide.jobJson(1, null), "Idempotency-Key", "once").status())
			.isEqualTo(202);
		// a retry of the answered request is replayed, not counted again
		ApiClient.Response retried = oneJob.post("/v1/jobs", WorkerSide.jobJson(1, null), "Idempotency-Key", "once");
		assertThat(retried.status()).as(retried.body()).isEqualTo(202);
		assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		ApiClient.Response second = oneJob.post("/v1/jobs", WorkerSide.jobJson(1, null));
		ApiClient.assertProblem(second, 429, "quota-exceeded", "1 of its 1 unfinished jobs");
		assertThat(second.headers().firstValue("Retry-After")).isPresent();
		assertThat(second.headers().firstValue("RateLimit-Policy")).hasValue("\"jobs-in-flight\";q=1");

		// the stored bytes are summed at most every 5 s: the quota holds within that
		ApiClient fewBytes = tenantWith("{\"stored_bytes\": 100}");
		assertThat(fewBytes.post("/v1/jobs", WorkerSide.jobJson(20, null)).status()).isEqualTo(202);
		ApiClient.Response full = Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> fewBytes.post("/v1/jobs", WorkerSide.jobJson(1, null)), (answer) -> answer.status() == 429);
		ApiClient.assertProblem(full, 429, "quota-exceeded", "bytes of input and results stored");
		// uploaded files count too, and the refusal is in OpenAI's shape on its paths
		ApiClient fewFiles = tenantWith("{\"stored_bytes\": 100}");
		assertThat(fewFiles.uploadFile("batch", "a.jsonl", "x".repeat(200)).status()).isEqualTo(200);
		ApiClient.Response noRoom = Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> fewFiles.uploadFile("batch", "b.jsonl", "{}"), (answer) -> answer.status() == 429);
		assertThat(noRoom.json().get("error").get("code").asString()).isEqualTo("quota-exceeded");
		assertThat(noRoom.json().get("error").get("type").asString()).isEqualTo("rate_limit_error");

		ApiClient oneEndpoint = tenantWith("{\"webhook_endpoints\": 1}");
		String endpoint = "{\"url\": \"https://8.8.8.8/hook\", \"event_types\": [\"job.succeeded\"]}";
		assertThat(oneEndpoint.post("/v1/webhook-endpoints", endpoint).status()).isEqualTo(201);
		ApiClient.assertProblem(oneEndpoint.post("/v1/webhook-endpoints", endpoint), 429, "quota-exceeded",
				"webhook endpoints");
	}

	@Test
	void theAdminSetsAndReadsATenantsLimitsAndRefusesNonsense() {
		ApiClient admin = this.api.withToken("test-admin-token");
		UUID tenant = UUID
			.fromString(admin.post("/v1/admin/tenants", "{\"name\":\"limits\"}").json().get("tenant_id").asString());
		ApiClient.Response set = admin.exchange("PUT", "/v1/admin/tenants/" + tenant + "/limits", "application/json",
				"{\"requests_per_second\": 7}", Map.of());
		assertThat(set.status()).as(set.body()).isEqualTo(200);
		assertThat(set.json().get("limits").get("requests_per_second").asLong()).isEqualTo(7);
		assertThat(set.json().get("limits").get("items_per_minute").asLong()).isEqualTo(2_000_000);
		assertThat(set.json().get("overrides").get("items_per_minute").isNull()).isTrue();
		ApiClient.assertProblem(admin.exchange("PUT", "/v1/admin/tenants/" + tenant + "/limits", "application/json",
				"{\"jobs_in_flight\": 0}", Map.of()), 422, "invalid-request", "positive");
		ApiClient.assertProblem(admin.exchange("PUT", "/v1/admin/tenants/" + UUID.randomUUID() + "/limits",
				"application/json", "{\"jobs_in_flight\": 3}", Map.of()), 404, "not-found", null);
	}

	@Test
	void wrongKeysFromOneAddressAreThrottledWhileAKnownKeyStillPasses() {
		// from an address of its own, so the other tests' clients are not throttled
		ApiClient elsewhere = this.api.from("127.0.0.2");
		String key = tenantKey();
		assertThat(elsewhere.withToken(key).get("/v1/jobs").status()).isEqualTo(200);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			String wrong = "bl_" + UUID.randomUUID().toString().replace("-", "") + "0123456789a";
			statuses.add(elsewhere.withToken(wrong).get("/v1/jobs").status());
		}
		assertThat(statuses.subList(0, 20)).containsOnly(401);
		assertThat(statuses.subList(20, 40)).containsOnly(429);
		ApiClient.Response refused = elsewhere.withToken("not-even-a-key").get("/v1/jobs");
		ApiClient.assertProblem(refused, 429, "rate-limited", "missing or wrong API key");
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(elsewhere.withToken(key).get("/v1/jobs").status()).isEqualTo(200);
		assertThat(this.api.withToken(key).get("/v1/jobs").status()).isEqualTo(200);
	}

	@Test
	void behindAGatewayWrongKeysAreCountedPerForwardedClientNotPerGateway() {
		// a gateway on an address of its own (loopback: a trusted proxy) forwards two
		// clients
		ApiClient gateway = this.api.from("127.0.0.3");
		Map<String, String> attacker = Map.of("X-Forwarded-For", "203.0.113.7");
		Map<String, String> bystander = Map.of("X-Forwarded-For", "203.0.113.8");
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 25; i++) {
			String wrong = "bl_" + UUID.randomUUID().toString().replace("-", "") + "0123456789a";
			statuses.add(gateway.withToken(wrong).exchange("GET", "/v1/jobs", null, null, attacker).status());
		}
		assertThat(statuses.subList(0, 20)).containsOnly(401);
		assertThat(statuses.subList(20, 25)).containsOnly(429);
		String wrong = "bl_" + UUID.randomUUID().toString().replace("-", "") + "0123456789a";
		assertThat(gateway.withToken(wrong).exchange("GET", "/v1/jobs", null, null, bystander).status()).isEqualTo(401);
		assertThat(gateway.withToken(tenantKey()).exchange("GET", "/v1/jobs", null, null, bystander).status())
			.isEqualTo(200);
	}

	private String tenantKey() {
		return this.api.withToken("test-admin-token")
			.post("/v1/admin/tenants", "{\"name\":\"keys\"}")
			.json()
			.get("api_key")
			.asString();
	}

	/** A new tenant with these limits of its own. */
	private ApiClient tenantWith(String limits) {
		ApiClient admin = this.api.withToken("test-admin-token");
		ApiClient.Response tenant = admin.post("/v1/admin/tenants", "{\"name\":\"limited\"}");
		assertThat(tenant.status()).as(tenant.body()).isEqualTo(201);
		ApiClient.Response set = admin.exchange("PUT",
				"/v1/admin/tenants/" + tenant.json().get("tenant_id").asString() + "/limits", "application/json",
				limits, Map.of());
		assertThat(set.status()).as(set.body()).isEqualTo(200);
		return this.api.withToken(tenant.json().get("api_key").asString());
	}

}
