package dev.batchline.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hundreds of generated bad requests to every endpoint, each bad by construction
 * (malformed, truncated or oversized bodies, wrong types, NaN and Infinity, values out of
 * range, ragged tensors, unknown models and fields, bad ids, cursors, limits, states,
 * headers, media types and methods). Requests Tomcat itself refuses before the
 * application (an encoded NUL or slash in the path) are left out. Each must get a 4xx
 * {@code application/problem+json} that says what is wrong, never a 500 or a stack trace,
 * and must write nothing; the service stays healthy and takes a good job after. The seed
 * is logged (and may be set with {@code -Dbatchline.badinput.seed}) so a failure can be
 * replayed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=bad-it",
				"batchline.topics.partitions=1", "batchline.api.max-items=500", "batchline.api.max-body-bytes=65536" })
class BadInputIntegrationTests extends ApiIntegrationTest {

	BadInputIntegrationTests() {
		super("bad-it", null);
	}

	private static final Logger log = LoggerFactory.getLogger(BadInputIntegrationTests.class);

	private static final int REQUESTS = 600;

	private String jobId;

	@BeforeAll
	void setUp() {
		this.jobId = this.api.post("/v1/jobs", WorkerSide.jobJson(3, null)).json().get("id").asString();
	}

	@Test
	void everyBadRequestGetsAProblemAndChangesNothing() {
		long seed = Long.getLong("batchline.badinput.seed", System.nanoTime());
		log.info("Bad input seed: {} (-Dbatchline.badinput.seed={} replays it)", seed, seed);
		Random random = new Random(seed);
		List<Supplier<BadRequest>> generators = generators(random);
		Map<String, Integer> statuses = new HashMap<>();
		long jobs = count("jobs");
		long endpoints = count("webhook_endpoints");
		long keys = count("idempotency_keys");
		for (int i = 0; i < REQUESTS; i++) {
			BadRequest bad = generators.get(random.nextInt(generators.size())).get();
			ApiClient.Response response = bad.client()
				.exchange(bad.method(), bad.path(), bad.contentType(), bad.body(), bad.headers());
			String what = bad.method() + " " + bad.path() + " " + abbreviate(bad.body()) + " -> " + response.status()
					+ " " + abbreviate(response.body());
			assertThat(response.status()).as(what).isBetween(400, 499);
			assertThat(response.contentType()).as(what).startsWith("application/problem+json");
			assertThat(response.json().get("status").asInt()).as(what).isEqualTo(response.status());
			assertThat(response.json().get("type").asString()).as(what).startsWith("https://batchline.dev/problems/");
			assertThat(response.json().has("detail")).as(what).isTrue();
			assertThat(response.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
			statuses.merge(String.valueOf(response.status()), 1, Integer::sum);
		}
		log.info("{} bad requests, answers by status: {}", REQUESTS, statuses);
		assertThat(count("jobs")).isEqualTo(jobs);
		assertThat(count("webhook_endpoints")).isEqualTo(endpoints);
		assertThat(count("idempotency_keys")).isEqualTo(keys);
		assertThat(this.api.get("/readyz").json().get("status").asString()).isEqualTo("UP");
		// the bad requests may have spent the tenant's requests per second: a good one is
		// accepted once the bucket refills (429 meanwhile, never anything else)
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
			int status = this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).status();
			assertThat(status).isIn(202, 429);
			return status == 202;
		});
	}

	private List<Supplier<BadRequest>> generators(Random random) {
		List<Supplier<BadRequest>> all = new ArrayList<>();
		// bodies of POST /v1/jobs that are bad by construction
		all.add(() -> job(truncated(random, WorkerSide.jobJson(1 + random.nextInt(5), "{\"a\":1}"))));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1," + pick(random, "NaN", "Infinity", "-Infinity", "nan")
				+ ",3,4]]}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[" + badItem(random) + "]}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1,2,3,4]," + badItem(random) + ",[1,2,3,4]]}"));
		all.add(() -> job("{\"model\":" + pick(random, "1", "null", "[]", "{}", "\"\"", "\"   \"", "true")
				+ ",\"instances\":[[1,2,3,4]]}"));
		all.add(() -> job("{\"model\":\"" + pick(random, "nope", "IRIS", "iris ", "../iris", "iris:1", "x".repeat(300))
				+ "\",\"instances\":[[1,2,3,4]]}"));
		all.add(() -> job("{\"model\":\"iris\",\"version\":" + pick(random, "\"9\"", "{}", "[]", "true", "1.5")
				+ ",\"instances\":[[1,2,3,4]]}"));
		all.add(() -> job(
				"{\"model\":\"iris\",\"instances\":" + pick(random, "null", "{}", "\"x\"", "1", "[]", "true") + "}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"metadata\":" + pick(random, "[]", "\"x\"",
				"1", "true", "{\"a\":\"" + "x".repeat(20_000) + "\"}", "{\"nul\":\"\\u0000\"}") + "}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"callback\":"
				+ pick(random, "\"https://example.com\"", "{}", "{\"url\":1}", "{\"url\":\"ftp://example.com\"}",
						"{\"url\":\"http://127.0.0.1/x\"}", "{\"url\":\"http://10.0.0.1/\"}",
						"{\"url\":\"https://example.com\",\"x\":1}", "{\"url\":\"not a url\"}")
				+ "}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"completion_window\":"
				+ pick(random, "\"soon\"", "0", "-5", "\"-1h\"", "\"30d\"", "true", "[]", "\"\"") + "}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[[1,2,3,4]],\"" + pick(random, "Model", "items", "x", "")
				+ "\":1}"));
		all.add(() -> job(pick(random, "", " ", "[]", "null", "1", "\"x\"", "[{\"model\":\"iris\"}]", "{", "}")));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":[" + "[1,2,3,4],".repeat(500) + "[1,2,3,4]]}"));
		all.add(() -> job(
				"{\"model\":\"iris\",\"instances\":[[1.00000001,2,3,4]" + ",[1.00000001,2,3,4]".repeat(3000) + "]}"));
		all.add(() -> job("{\"model\":\"iris\",\"instances\":" + "[".repeat(2000 + random.nextInt(3000))));
		all.add(() -> new BadRequest(this.api, "POST", "/v1/jobs",
				pick(random, "text/plain", "application/xml", "application/x-www-form-urlencoded", "image/png"),
				"{\"model\":\"iris\",\"instances\":[[1,2,3,4]]}", Map.of()));
		all.add(() -> new BadRequest(this.api, "POST", "/v1/jobs", "application/json", WorkerSide.jobJson(1, null),
				Map.of("Idempotency-Key", pick(random, "has space", "x".repeat(256), "a b c"))));
		// paths, ids, cursors, limits and states
		all.add(() -> get("/v1/jobs/" + badId(random)));
		all.add(() -> get("/v1/jobs/" + badId(random) + pick(random, "/results", "/errors")));
		all.add(() -> get("/v1/jobs/" + UUID.randomUUID() + pick(random, "", "/results", "/errors")));
		all.add(() -> get("/v1/jobs?cursor=" + garbage(random)));
		all.add(() -> get(
				"/v1/jobs/" + this.jobId + pick(random, "/results", "/errors") + "?cursor=" + garbage(random)));
		all.add(() -> get("/v1/jobs?limit=" + pick(random, "0", "-1", "101", "abc", "1e3", "99999999999")));
		all.add(() -> get("/v1/jobs/" + this.jobId + "/results?limit=" + pick(random, "0", "-3", "10001", "x")));
		all.add(() -> get("/v1/jobs?state=" + pick(random, "bogus", "DONE", "", "'%20or%201=1")));
		all.add(() -> get("/v1/models/" + pick(random, "nope", "x".repeat(100), "%20", "iris%201")));
		all.add(() -> new BadRequest(this.api, "POST",
				"/v1/jobs/" + pick(random, badId(random), UUID.randomUUID().toString()) + "/cancel", null, null,
				Map.of()));
		all.add(() -> new BadRequest(this.api, pick(random, "PUT", "DELETE", "PATCH"), "/v1/jobs", "application/json",
				"{}", Map.of()));
		all.add(() -> new BadRequest(this.api, pick(random, "PUT", "DELETE"), "/v1/jobs/" + this.jobId, null, null,
				Map.of()));
		// authentication
		all.add(() -> new BadRequest(this.api.withToken(pick(random, "", "bl_nope", "x".repeat(500))), "GET",
				"/v1/jobs", null, null, Map.of()));
		all.add(() -> new BadRequest(this.api.withToken(null), "POST", "/v1/jobs", "application/json",
				WorkerSide.jobJson(1, null), Map.of()));
		all.add(() -> new BadRequest(this.api, "POST", "/v1/admin/tenants", "application/json", "{}", Map.of()));
		all.add(() -> new BadRequest(this.api.withToken("test-admin-token"), "POST", "/v1/admin/tenants",
				"application/json", pick(random, "{\"name\":[]}", "{\"name\":\"a\\u0000\"}",
						"{\"name\":\"" + "n".repeat(201) + "\"}", "{", "[]"),
				Map.of()));
		// webhook endpoints and deliveries
		all.add(() -> new BadRequest(this.api, "POST", "/v1/webhook-endpoints", "application/json",
				pick(random, "{}", "{\"url\":1}", "{\"url\":\"javascript:alert(1)\"}",
						"{\"url\":\"http://localhost/\"}",
						"{\"url\":\"https://example.com\",\"event_types\":[\"job.nope\"]}",
						"{\"url\":\"https://example.com\",\"event_types\":\"job.succeeded\"}",
						"{\"url\":\"https://example.com\",\"enabled\":\"yes\"}",
						"{\"url\":\"https://example.com\",\"description\":\"a\\u0007b\"}",
						"{\"url\":\"https://example.com\",\"bogus\":1}",
						truncated(random, "{\"url\":\"https://example.com\"}")),
				Map.of()));
		all.add(() -> new BadRequest(this.api, pick(random, "GET", "DELETE"), "/v1/webhook-endpoints/" + badId(random),
				null, null, Map.of()));
		all.add(() -> new BadRequest(this.api, "PATCH", "/v1/webhook-endpoints/" + UUID.randomUUID(),
				"application/json", "{\"enabled\":false}", Map.of()));
		all.add(() -> get("/v1/webhook-deliveries?" + pick(random, "job_id=x", "endpoint_id=1", "status=nope",
				"limit=0", "limit=abc", "cursor=" + garbage(random))));
		all.add(() -> new BadRequest(this.api, "POST",
				"/v1/webhook-deliveries/" + pick(random, badId(random), UUID.randomUUID().toString()) + "/replay", null,
				null, Map.of()));
		return all;
	}

	private BadRequest job(String body) {
		return new BadRequest(this.api, "POST", "/v1/jobs", "application/json", body, Map.of());
	}

	private BadRequest get(String path) {
		return new BadRequest(this.api, "GET", path, null, null, Map.of());
	}

	/** An Iris item that does not fit the signature: shape, type, range or raggedness. */
	private static String badItem(Random random) {
		return pick(random, "[1,2,3]", "[1,2,3,4,5]", "[]", "[[1,2,3,4]]", "[1,2,\"3\",4]", "[1,2,null,4]",
				"[1,2,true,4]", "[1,2,3,1e39]", "[1,2,3,-1e300]", "{\"features\":[1,2,3]}", "{\"other\":[1,2,3,4]}",
				"{\"features\":[1,2,3,4],\"x\":1}", "null", "\"1,2,3,4\"", "1", "{}", "[[1,2],[3,4]]", "[1,2,3,[4]]",
				"[1,2,3,{\"v\":4}]");
	}

	private static String badId(Random random) {
		return pick(random, "not-a-uuid", "1", "00000000-0000-0000-0000", "%20", "x".repeat(64),
				URLEncoder.encode("'; drop table jobs; --", StandardCharsets.UTF_8), "null");
	}

	private static String garbage(Random random) {
		byte[] bytes = new byte[1 + random.nextInt(40)];
		random.nextBytes(bytes);
		return URLEncoder.encode(new String(bytes, StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) + "!";
	}

	/** Cut short somewhere inside, so brackets or strings stay open. */
	private static String truncated(Random random, String json) {
		return json.substring(0, 1 + random.nextInt(json.length() - 1));
	}

	@SafeVarargs
	private static <T> T pick(Random random, T... choices) {
		return choices[random.nextInt(choices.length)];
	}

	private long count(String table) {
		return this.jdbc.queryForObject("select count(*) from " + table, Long.class);
	}

	private static String abbreviate(String text) {
		return (text == null) ? "" : (text.length() > 200) ? text.substring(0, 200) + "…" : text;
	}

	private record BadRequest(ApiClient client, String method, String path, String contentType, String body,
			Map<String, String> headers) {
	}

}
