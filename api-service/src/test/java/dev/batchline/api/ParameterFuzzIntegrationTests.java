package dev.batchline.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every parameter of every endpoint gets every hostile value: each path variable, query
 * parameter and header in turn (the others valid) is empty, blank, a NUL, an invalid
 * percent escape or UTF-8 sequence, a number past {@code long}, 10,000 characters, SQL, a
 * timestamp at the end of time, a well-formed cursor of an extreme instant, … Each answer
 * must be below 500, and a 4xx must be {@code application/problem+json}. The endpoints
 * come from Spring's handler mappings, so one added without a line in
 * {@link #endpoints()} fails {@link #everyMappedEndpointIsFuzzed()}. Requests are written
 * byte for byte on a socket: an HTTP client would refuse to send most of these.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=fuzz-it",
				"batchline.topics.partitions=1", "batchline.api.limits.enabled=false" })
class ParameterFuzzIntegrationTests extends ApiIntegrationTest {

	private static final Logger log = LoggerFactory.getLogger(ParameterFuzzIntegrationTests.class);

	private static final String UUID_TEXT = "6f1c3a52-1f0e-4a54-9b8e-2d1c0c1e7a11";

	/** A row of 3 values for the 4 the model takes. */
	private static final String OIP_ROW = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],"
			+ "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";

	private static final String TFS_ROW = "{\"instances\":[[1,2,3]]}";

	/** A batch input line (whose row never fits the model). */
	private static final String UPLOAD_LINE = "{\"custom_id\": \"a\", \"method\": \"POST\", "
			+ "\"url\": \"/v1/models/iris:predict\", \"body\": " + TFS_ROW + "}";

	private static final String BOUNDARY = "fuzz-boundary";

	/**
	 * Hostile values as they go into a URL (percent escapes kept as written); headers get
	 * the bytes they decode to.
	 */
	private static final List<String> HOSTILE = List.of("", "%20", "+", "%09%20%09", "%00", "a%00b", "%%%garbage", "%",
			"%zz", "%C3%28", "%FF%FE%FD", "%ED%A0%80", "%C0%80", "%F4%90%80%80", "%2F", "..", "%2E%2E",
			"%E2%80%AE%F0%9F%92%A9%E6%BC%A2%D7%90", "0", "-1", "-0", "1.5", "1e309", "NaN", "Infinity", "0x10",
			"2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
			"-9223372036854775809", "99999999999999999999999999999999999999", "a".repeat(10_000), "%41".repeat(2_000),
			"true", "yes", "null", "undefined", "%5B%5D", "%7B%7D", "'%20OR%201%3D1--",
			"%27%3B%20DROP%20TABLE%20jobs%3B--", "%3Cscript%3E", "$%7Bjndi:ldap://x%7D", "1970-01-01T00:00:00Z",
			"0000-01-01T00:00:00Z", "-4712-01-01T00:00:00Z", "-4713-11-23T23:59:59Z", "294276-12-31T23:59:59.999999Z",
			"%2B294277-01-01T00:00:00Z", "%2B1000000000-12-31T23:59:59Z", "-1000000000-01-01T00:00:00Z",
			"%2B9999999-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T99:99:99Z", "P1D", "PT-1S",
			"PT99999999999999999H", "1s", "-5m", "ok", "running", "RUNNING", UUID_TEXT, UUID_TEXT.toUpperCase(),
			"00000000-0000-0000-0000-000000000000", UUID_TEXT + "0", UUID_TEXT.replace('-', 'g'), "1-1-1-1-1", "====",
			"!!!", cursor("+1000000000-12-31T23:59:59Z"), cursor("-1000000000-01-01T00:00:00Z"),
			cursor("+9999999-01-01T00:00:00Z"), cursor("+294277-01-01T00:00:00Z"),
			cursor("294276-12-31T23:59:59.999999Z"), cursor("-4712-01-01T00:00:00Z"), cursor("-4714-01-01T00:00:00Z"),
			cursor("2026-01-01T00:00:00Z"), base64("2026-01-01T00:00:00Z|not-a-uuid"), base64("no bar at all"),
			base64("i9223372036854775807"), base64("i9223372036854775808"), base64("i-1"), base64("i"),
			base64("\u0000|\u0000"));

	/** More values for the media type headers. */
	private static final List<String> MEDIA_TYPES = List.of("application/json;charset=garbage",
			"application/json;charset=utf-16", "application/json;charset=", "application/*;q=x", "*/*;q=-1",
			"text/html", "application/x-ndjson", "application/problem+json", "multipart/form-data;boundary=",
			"application/json;a=%22", "/", "application/json," + "x/y,".repeat(500));

	/** Headers every endpoint reads (or the authentication filter before it). */
	private static final List<String> COMMON_HEADERS = List.of("Authorization", "Accept", "Accept-Language");

	@Autowired
	private ApplicationContext context;

	private final Map<String, String> valid = new LinkedHashMap<>();

	ParameterFuzzIntegrationTests() {
		super("fuzz-it", null);
	}

	@BeforeAll
	void fixtures() {
		this.valid.put("job", this.api.post("/v1/jobs", WorkerSide.jobJson(3, null)).json().get("id").asString());
		this.valid.put("cancelled job",
				this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString());
		this.valid.put("finished job", finishedJob());
		this.valid.put("endpoint", endpoint());
		this.valid.put("deleted endpoint", endpoint());
		this.valid.put("v1a endpoint",
				this.api
					.post("/v1/webhook-endpoints", "{\"url\":\"https://8.8.8.8/hook\",\"signature_scheme\":\"v1a\"}")
					.json()
					.get("id")
					.asString());
		this.valid.put("delivery", UUID.randomUUID().toString());
		this.valid.put("file", file());
		this.valid.put("deleted file", file());
		this.valid.put("batch",
				this.api
					.post("/v1/batches",
							"{\"input_file_id\": \"" + this.valid.get("file")
									+ "\", \"endpoint\": \"/v1/models/iris:predict\", \"completion_window\": \"24h\"}")
					.json()
					.get("id")
					.asString());
		this.valid.put("key", key());
		this.valid.put("rotated key", key());
		this.valid.put("model", "iris");
		this.valid.put("tenant",
				this.api.withToken("test-admin-token")
					.post("/v1/admin/tenants", "{\"name\":\"fuzzed\"}")
					.json()
					.get("tenant_id")
					.asString());
	}

	/** A job whose event stream ends after its history. */
	private String finishedJob() {
		UUID job = UUID.fromString(this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString());
		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(job, 1).get(0), -1));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/jobs/" + job).json().get("state").asString().equals("SUCCEEDED"));
		return job.toString();
	}

	private String file() {
		return this.api.uploadFile("batch", "fuzz.jsonl", UPLOAD_LINE).json().get("id").asString();
	}

	private String key() {
		return this.api.post("/v1/api-keys", "{\"name\": \"fuzz\"}").json().get("key").get("id").asString();
	}

	private String endpoint() {
		return this.api.post("/v1/webhook-endpoints", "{\"url\":\"https://8.8.8.8/hook\"}").json().get("id").asString();
	}

	/**
	 * What a valid request to each endpoint looks like, and its parts to fuzz, keyed by
	 * method and pattern as Spring maps them.
	 */
	private Map<String, Endpoint> endpoints() {
		String job = this.valid.get("job");
		String endpoint = this.valid.get("endpoint");
		String since = "since=2026-01-01T00:00:00Z";
		List<Endpoint> all = List.of(
				// REST
				Endpoint.get("/v1/jobs", "", "state", "cursor", "limit"),
				Endpoint.get("/v1/jobs/{id}", job).withHeaders("If-None-Match"),
				Endpoint.post("/v1/jobs/{id}/cancel", this.valid.get("cancelled job"), null, null),
				Endpoint.get("/v1/jobs/{id}/results", job, "cursor", "limit")
					.accepting("application/json", "application/x-ndjson"),
				Endpoint.get("/v1/jobs/{id}/errors", job, "cursor", "limit"),
				new Endpoint("GET", "/v1/jobs/{id}/events", this.valid.get("finished job"), null, null, "", List.of(),
						List.of("Accept:text/event-stream", "Last-Event-ID"), List.of()),
				Endpoint.post("/v1/jobs", null, "application/json", WorkerSide.jobJson(1, null))
					.withHeaders("Idempotency-Key", "Content-Type"),
				Endpoint.post("/v1/jobs", null, "application/x-ndjson", "[1,2,3,4]\n")
					.withQuery("model=iris", "model", "version", "metadata", "callback_url", "completion_window",
							"output_expires_after_anchor", "output_expires_after_seconds", "cache")
					.withHeaders("Idempotency-Key", "Content-Type"),
				Endpoint.get("/v1/models", ""), Endpoint.get("/v1/models/{name}", "iris"),
				Endpoint.post("/v1/webhook-endpoints", null, "application/json", "{\"url\":\"https://8.8.8.8/x\"}")
					.withHeaders("Idempotency-Key", "Content-Type"),
				Endpoint.get("/v1/webhook-endpoints", ""), Endpoint.get("/v1/webhook-endpoints/{id}", endpoint),
				new Endpoint("PATCH", "/v1/webhook-endpoints/{id}", endpoint, "application/json",
						"{\"description\":\"fuzzed\"}", "", List.of(), List.of("Content-Type"), List.of()),
				new Endpoint("DELETE", "/v1/webhook-endpoints/{id}", this.valid.get("deleted endpoint"), null, null, "",
						List.of(), List.of(), List.of()),
				Endpoint.get("/v1/webhook-endpoints/{id}/secret", endpoint),
				Endpoint.post("/v1/webhook-endpoints/{id}/secret/rotate", endpoint, null, null),
				Endpoint.get("/v1/webhook-endpoints/{id}/public-key", this.valid.get("v1a endpoint")),
				Endpoint.post("/v1/webhook-endpoints/{id}/public-key/rotate", this.valid.get("v1a endpoint"), null,
						null),
				Endpoint.post("/v1/webhook-endpoints/{id}/replay", endpoint, null, null).withQuery(since, "since"),
				Endpoint.get("/v1/webhook-deliveries", "", "job_id", "endpoint_id", "status", "cursor", "limit"),
				Endpoint.get("/v1/webhook-deliveries/{id}", this.valid.get("delivery")),
				Endpoint.post("/v1/webhook-deliveries/{id}/replay", this.valid.get("delivery"), null, null),
				Endpoint.get("/v1/callback-secret", ""), Endpoint.post("/v1/callback-secret/rotate", "", null, null),
				Endpoint.get("/v1/webhook-secret", ""), Endpoint.post("/v1/webhook-secret/rotate", "", null, null),
				Endpoint.get("/v1/webhook-event-types", ""),
				Endpoint.get("/v1/webhook-event-types/{name}", "job.succeeded"),
				// the OpenAI-compatible door
				Endpoint
					.post("/v1/files", "", "multipart/form-data; boundary=" + BOUNDARY,
							"--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
									+ BOUNDARY
									+ "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.jsonl\"\r\n"
									+ "Content-Type: application/octet-stream\r\n\r\n" + UPLOAD_LINE + "\r\n--"
									+ BOUNDARY + "--\r\n")
					.withQuery("", "purpose")
					.withHeaders("Content-Type"),
				Endpoint.get("/v1/files/{id}", this.valid.get("file")),
				Endpoint.get("/v1/files/{id}/content", this.valid.get("file")),
				new Endpoint("DELETE", "/v1/files/{id}", this.valid.get("deleted file"), null, null, "", List.of(),
						List.of(), List.of()),
				Endpoint
					.post("/v1/batches", "", "application/json",
							"{\"input_file_id\": \"" + this.valid.get("file")
									+ "\", \"endpoint\": \"/v1/models/iris:predict\", \"completion_window\": \"24h\"}")
					.withHeaders("Content-Type"),
				Endpoint.get("/v1/batches", "", "after", "limit"),
				Endpoint.get("/v1/batches/{id}", this.valid.get("batch")),
				Endpoint.post("/v1/batches/{id}/cancel", this.valid.get("batch"), null, null),
				// API keys and the audit log
				Endpoint.post("/v1/api-keys", "", "application/json", "{\"name\": \"fuzzed\"}")
					.withHeaders("Content-Type"),
				Endpoint.get("/v1/api-keys", ""),
				new Endpoint("DELETE", "/v1/api-keys/{id}", this.valid.get("key"), null, null, "", List.of(), List.of(),
						List.of()),
				Endpoint
					.post("/v1/api-keys/{id}/rotate", this.valid.get("rotated key"), "application/json",
							"{\"overlap_seconds\": 0}")
					.withHeaders("Content-Type"),
				Endpoint.get("/v1/admin/audit-log", "", "before", "tenant_id", "limit"),
				Endpoint.post("/v1/admin/tenants", "", "application/json", "{\"name\":\"fuzz\"}")
					.withHeaders("Content-Type"),
				Endpoint.get("/v1/admin/tenants", "", "cursor", "limit"),
				Endpoint.get("/v1/admin/tenants/{id}/limits", this.valid.get("tenant")),
				Endpoint.get("/v1/admin/workers", ""), Endpoint.get("/v1/admin/consumer-lag", ""),
				new Endpoint("PUT", "/v1/admin/tenants/{id}/limits", this.valid.get("tenant"), "application/json",
						"{\"jobs_in_flight\": 5}", "", List.of(), List.of("Content-Type"), List.of()),
				// the Open Inference Protocol and TensorFlow Serving doors; their rows
				// never fit
				// the model, so no request waits for a worker (none runs here)
				Endpoint.get("/v2", ""), Endpoint.get("/v2/health/live", ""), Endpoint.get("/v2/health/ready", ""),
				Endpoint.get("/v2/models/{model}", "iris"), Endpoint.get("/v2/models/{model}/versions/{version}", "1"),
				Endpoint.get("/v2/models/{model}/ready", "iris"),
				Endpoint.get("/v2/models/{model}/versions/{version}/ready", "1"),
				Endpoint.post("/v2/models/{model}/infer", "iris", "application/json", OIP_ROW)
					.withQuery("cache=true", "cache")
					.withHeaders("Batchline-Timeout-Ms", "Content-Type"),
				Endpoint.post("/v2/models/{model}/versions/{version}/infer", "1", "application/json", OIP_ROW)
					.withQuery("cache=true", "cache")
					.withHeaders("Batchline-Timeout-Ms", "Content-Type"),
				Endpoint.post("/v1/models/{model}:predict", "iris", "application/json", TFS_ROW)
					.withQuery("cache=true", "cache")
					.withHeaders("Batchline-Timeout-Ms", "Content-Type"),
				Endpoint.post("/v1/models/{model}/versions/{version}:predict", "1", "application/json", TFS_ROW)
					.withQuery("cache=true", "cache")
					.withHeaders("Batchline-Timeout-Ms", "Content-Type"),
				Endpoint.post("/v1/models/{model}/labels/{version}:predict", "1", "application/json", TFS_ROW)
					.withQuery("cache=true", "cache")
					.withHeaders("Batchline-Timeout-Ms", "Content-Type"),
				Endpoint.get("/v1/models/{model}/versions/{version}", "1"),
				Endpoint.get("/v1/models/{model}/labels/{version}", "1"),
				Endpoint.get("/v1/models/{model}/metadata", "iris"),
				Endpoint.get("/v1/models/{model}/versions/{version}/metadata", "1"),
				Endpoint.get("/v1/models/{model}/labels/{version}/metadata", "1"),
				// Spring Boot's error page, reachable as a path of its own
				Endpoint.get("/error", ""),
				// the OpenAPI document
				Endpoint.get("/v3/api-docs", ""), Endpoint.get("/v3/api-docs.yaml", ""),
				// its Swagger UI
				Endpoint.get("/docs", ""), Endpoint.get("/v3/api-docs/swagger-config", ""),
				// Actuator's probes on the API port (public; its own answers, so only
				// "below 500" holds for them); the rest of Actuator has a port of its own
				Endpoint.get("/livez", ""), Endpoint.get("/readyz", ""));
		Map<String, Endpoint> byKey = new TreeMap<>();
		for (Endpoint e : all) {
			byKey.merge(e.key(), e, Endpoint::and);
		}
		return byKey;
	}

	@Test
	void everyMappedEndpointIsFuzzed() {
		Map<String, Endpoint> endpoints = endpoints();
		Set<String> mapped = new TreeSet<>();
		List<String> uncovered = new ArrayList<>();
		forEachHandler((method, pattern, info, handler) -> {
			String key = method + " " + pattern;
			mapped.add(key);
			Endpoint endpoint = endpoints.get(key);
			if (endpoint == null) {
				uncovered.add(key + " (" + handler.getShortLogMessage() + ") has no fuzz line");
				return;
			}
			for (String name : fuzzedNames(handler)) {
				if (!endpoint.fuzzes(name)) {
					uncovered.add(key + ": parameter '" + name + "' is not fuzzed");
				}
			}
			for (String variable : variables(pattern)) {
				if (!endpoint.fuzzes(variable)) {
					uncovered.add(key + ": path variable '" + variable + "' is not fuzzed");
				}
			}
			for (MediaType consumed : info.getConsumesCondition().getConsumableMediaTypes()) {
				if (endpoint.contentTypes().stream().noneMatch((c) -> consumed.includes(MediaType.parseMediaType(c)))) {
					uncovered.add(key + ": no request of type " + consumed);
				}
			}
		});
		assertThat(uncovered).as("endpoints and parameters without hostile values").isEmpty();
		assertThat(endpoints.keySet()).as("fuzz lines for endpoints that no longer exist").isSubsetOf(mapped);
	}

	@Test
	void everyHostileValueOfEveryParameterGetsAnAnswerBelow500AndProblemsAsProblemJson() {
		List<String> failures = new ArrayList<>();
		Map<Integer, Integer> statuses = new TreeMap<>();
		int requests = 0;
		for (Endpoint endpoint : endpoints().values()) {
			for (Request request : endpoint.requests(token(endpoint))) {
				Answer answer = send(request);
				requests++;
				statuses.merge(answer.status(), 1, Integer::sum);
				String failure = answer.failure(isActuator(endpoint.pattern()), isInferenceProtocol(endpoint.pattern()),
						endpoint.pattern().startsWith("/v1/files") || endpoint.pattern().startsWith("/v1/batches"));
				if (failure != null) {
					failures.add(request.what() + " -> " + answer.status() + " " + answer.contentType() + ": " + failure
							+ " " + abbreviate(answer.body()));
				}
			}
		}
		log.info("{} hostile requests, answers by status: {}", requests, statuses);
		assertThat(failures).as("answers to hostile values (%d of %d)", failures.size(), requests).isEmpty();
		assertThat(this.api.get("/readyz").status()).isEqualTo(200);
	}

	private static boolean isActuator(String pattern) {
		return pattern.startsWith("/actuator") || pattern.equals("/livez") || pattern.equals("/readyz");
	}

	private static boolean isInferenceProtocol(String pattern) {
		return pattern.startsWith("/v2") || pattern.startsWith("/v1/models/{model}");
	}

	private String token(Endpoint endpoint) {
		return endpoint.pattern().startsWith("/v1/admin") ? "test-admin-token" : this.api.token();
	}

	/** The names of a handler's parameters that come from the request line or headers. */
	private static List<String> fuzzedNames(HandlerMethod handler) {
		List<String> names = new ArrayList<>();
		for (MethodParameter parameter : handler.getMethodParameters()) {
			parameter.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
			RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
			RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
			PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
			if (path != null && Map.class.isAssignableFrom(parameter.getParameterType())) {
				// every path variable at once: each is fuzzed through the pattern
				continue;
			}
			String declared = (query != null) ? query.name()
					: (header != null) ? header.name() : (path != null) ? path.name() : null;
			if (declared != null) {
				names.add(declared.isEmpty() ? parameter.getParameterName() : declared);
			}
		}
		return names;
	}

	private static final Pattern VARIABLE = Pattern.compile("\\{\\*?([^}:]+)(:[^}]*)?}|\\*\\*");

	private static List<String> variables(String pattern) {
		List<String> names = new ArrayList<>();
		Matcher matcher = VARIABLE.matcher(pattern);
		while (matcher.find()) {
			names.add((matcher.group(1) != null) ? matcher.group(1) : "**");
		}
		return names;
	}

	private interface HandlerVisitor {

		void visit(String method, String pattern, RequestMappingInfo info, HandlerMethod handler);

	}

	/** Every handler of every request-mapping handler mapping (MVC's and Actuator's). */
	private void forEachHandler(HandlerVisitor visitor) {
		for (RequestMappingInfoHandlerMapping mapping : this.context
			.getBeansOfType(RequestMappingInfoHandlerMapping.class)
			.values()) {
			mapping.getHandlerMethods().forEach((info, handler) -> {
				Set<String> methods = new LinkedHashSet<>();
				info.getMethodsCondition().getMethods().forEach((m) -> methods.add(m.name()));
				if (methods.isEmpty()) {
					methods.add("GET");
				}
				for (String method : methods) {
					for (String pattern : info.getPatternValues()) {
						visitor.visit(method, pattern, info, handler);
					}
				}
			});
		}
	}

	private static String cursor(String instant) {
		return base64(instant + "|" + UUID_TEXT);
	}

	private static String base64(String raw) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
	}

	private static String abbreviate(String text) {
		return (text.length() > 300) ? text.substring(0, 300) + "…" : text;
	}

	/**
	 * One endpoint: a valid request (path variables, query, content types, body) and the
	 * query parameters and headers to fuzz.
	 */
	private record Endpoint(String method, String pattern, String pathValue, String contentType, String body,
			String query, List<String> queryParameters, List<String> headers, List<Endpoint> variants) {

		static Endpoint get(String pattern, String pathValue, String... queryParameters) {
			return new Endpoint("GET", pattern, pathValue, null, null, "", List.of(queryParameters), List.of(),
					List.of());
		}

		static Endpoint post(String pattern, String pathValue, String contentType, String body) {
			return new Endpoint("POST", pattern, pathValue, contentType, body, "", List.of(), List.of(), List.of());
		}

		String key() {
			return this.method + " " + this.pattern;
		}

		Endpoint withQuery(String query, String... parameters) {
			return new Endpoint(this.method, this.pattern, this.pathValue, this.contentType, this.body, query,
					List.of(parameters), this.headers, this.variants);
		}

		Endpoint withHeaders(String... names) {
			return new Endpoint(this.method, this.pattern, this.pathValue, this.contentType, this.body, this.query,
					this.queryParameters, List.of(names), this.variants);
		}

		/** The same endpoint asked for in other media types. */
		Endpoint accepting(String... accepts) {
			List<Endpoint> more = new ArrayList<>();
			for (String accept : accepts) {
				more.add(new Endpoint(this.method, this.pattern, this.pathValue, this.contentType, this.body,
						this.query, this.queryParameters, List.of("Accept:" + accept), List.of()));
			}
			return new Endpoint(this.method, this.pattern, this.pathValue, this.contentType, this.body, this.query,
					this.queryParameters, this.headers, more);
		}

		/** Two handlers of one method and pattern (e.g. two content types). */
		Endpoint and(Endpoint other) {
			List<Endpoint> more = new ArrayList<>(this.variants);
			more.add(other);
			return new Endpoint(this.method, this.pattern, this.pathValue, this.contentType, this.body, this.query,
					this.queryParameters, this.headers, more);
		}

		List<Endpoint> all() {
			List<Endpoint> all = new ArrayList<>();
			all.add(this);
			this.variants.forEach((v) -> all.addAll(v.all()));
			return all;
		}

		boolean fuzzes(String name) {
			return all().stream()
				.anyMatch((e) -> e.queryParameters.contains(name) || e.headers.contains(name)
						|| variables(e.pattern).contains(name));
		}

		List<String> contentTypes() {
			return all().stream().map(Endpoint::contentType).filter((c) -> c != null).toList();
		}

		/** Every request of the fuzz: one hostile value in one place, the rest valid. */
		List<Request> requests(String token) {
			List<Request> requests = new ArrayList<>();
			for (Endpoint e : all()) {
				requests.addAll(e.ownRequests(token));
			}
			return requests;
		}

		private List<Request> ownRequests(String token) {
			List<Request> requests = new ArrayList<>();
			Map<String, String> headers = new LinkedHashMap<>();
			headers.put("Authorization", "Bearer " + token);
			headers.put("Accept", "application/json");
			for (String fixed : this.headers) {
				if (fixed.startsWith("Accept:")) {
					headers.put("Accept", fixed.substring("Accept:".length()));
				}
			}
			if (this.contentType != null) {
				headers.put("Content-Type", this.contentType);
			}
			List<String> variables = variables(this.pattern);
			for (String variable : variables) {
				for (String value : HOSTILE) {
					requests.add(request(path(variable, value), this.query, headers));
				}
			}
			for (String parameter : this.queryParameters) {
				for (String value : HOSTILE) {
					String query = parameter + "=" + value;
					if (!this.query.isEmpty() && !this.query.startsWith(parameter + "=")) {
						query = this.query + "&" + query;
					}
					requests.add(request(path(null, null), query, headers));
				}
			}
			Set<String> fuzzedHeaders = new LinkedHashSet<>(COMMON_HEADERS);
			this.headers.stream().filter((h) -> !h.contains(":")).forEach(fuzzedHeaders::add);
			for (String header : fuzzedHeaders) {
				List<String> values = new ArrayList<>(HOSTILE);
				if (header.equals("Accept") || header.equals("Content-Type")) {
					values.addAll(MEDIA_TYPES);
				}
				if (header.equals("Authorization")) {
					values = HOSTILE.stream().map((v) -> "Bearer " + v).toList();
				}
				for (String value : values) {
					Map<String, String> hostile = new LinkedHashMap<>(headers);
					hostile.put(header, value);
					requests.add(request(path(null, null), this.query, hostile).inHeader(header));
				}
			}
			return requests;
		}

		private String path(String variable, String value) {
			StringBuilder path = new StringBuilder();
			Matcher matcher = VARIABLE.matcher(this.pattern);
			while (matcher.find()) {
				String name = (matcher.group(1) != null) ? matcher.group(1) : "**";
				matcher.appendReplacement(path,
						Matcher.quoteReplacement(name.equals(variable) ? value : this.pathValue));
			}
			matcher.appendTail(path);
			return path.toString();
		}

		private Request request(String path, String query, Map<String, String> headers) {
			String target = query.isEmpty() ? path : path + "?" + query;
			return new Request(this.method, target, Map.copyOf(headers), this.body, null);
		}

	}

	/**
	 * A request as written on the wire; the header named by {@code hostileHeader} gets
	 * the bytes its value decodes to.
	 */
	private record Request(String method, String target, Map<String, String> headers, String body,
			String hostileHeader) {

		Request inHeader(String header) {
			return new Request(this.method, this.target, this.headers, this.body, header);
		}

		String what() {
			String header = (this.hostileHeader != null)
					? " with " + this.hostileHeader + ": " + abbreviate(this.headers.get(this.hostileHeader)) : "";
			return this.method + " " + abbreviate(this.target) + header;
		}

	}

	private record Answer(int status, String contentType, String body) {

		/**
		 * What is wrong with the answer, or null. The inference protocols' doors answer
		 * their own errors as {@code {"error": "…"}}, and the Open Inference Protocol's
		 * readiness "false" as a 4xx with {@code "ready": false}; the OpenAI-compatible
		 * door its errors as OpenAI's error object.
		 */
		String failure(boolean actuator, boolean inferenceProtocol, boolean openAi) {
			if (this.status >= 500 || this.status < 100) {
				return "a server error";
			}
			if (inferenceProtocol && this.status >= 400 && this.contentType.startsWith("application/json")
					&& (this.body.contains("{\"error\":") || this.body.contains("\"ready\":false"))) {
				return null;
			}
			if (openAi && this.status >= 400 && this.contentType.startsWith("application/json")
					&& this.body.contains("{\"error\":{\"message\":")) {
				return null;
			}
			if (this.status >= 400 && !actuator && !this.contentType.startsWith("application/problem+json")) {
				return "a client error that is not a problem";
			}
			return null;
		}

	}

	private Answer send(Request request) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] body = (request.body() != null) ? request.body().getBytes(StandardCharsets.UTF_8) : new byte[0];
		out.writeBytes((request.method() + " " + request.target() + " HTTP/1.1\r\nHost: localhost:" + this.port
				+ "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n")
			.getBytes(StandardCharsets.ISO_8859_1));
		request.headers().forEach((name, value) -> {
			byte[] bytes = name.equals(request.hostileHeader()) ? decoded(value)
					: value.getBytes(StandardCharsets.ISO_8859_1);
			out.writeBytes((name + ": ").getBytes(StandardCharsets.ISO_8859_1));
			out.writeBytes(bytes);
			out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		});
		out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		out.writeBytes(body);
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(out.toByteArray());
			socket.getOutputStream().flush();
			byte[] response = socket.getInputStream().readAllBytes();
			String text = new String(response, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (!text.startsWith("HTTP/1.1 ") || end < 0) {
				return new Answer(0, "", text);
			}
			String head = text.substring(0, end);
			String contentType = head.lines()
				.filter((line) -> line.regionMatches(true, 0, "Content-Type:", 0, 13))
				.map((line) -> line.substring(13).strip())
				.findFirst()
				.orElse("");
			return new Answer(Integer.parseInt(head.substring(9, 12)), contentType, text.substring(end + 4));
		}
		catch (IOException ex) {
			return new Answer(0, "", "no answer: " + ex);
		}
	}

	/** The bytes of a value with its percent escapes decoded, without CR and LF. */
	private static byte[] decoded(String value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int i = 0;
		while (i < value.length()) {
			char c = value.charAt(i);
			if (c == '%' && i + 2 < value.length() && isHex(value.charAt(i + 1)) && isHex(value.charAt(i + 2))) {
				bytes.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
				i += 3;
			}
			else {
				bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
				i++;
			}
		}
		byte[] all = bytes.toByteArray();
		ByteArrayOutputStream clean = new ByteArrayOutputStream();
		for (byte b : all) {
			if (b != '\r' && b != '\n') {
				clean.write(b);
			}
		}
		return clean.toByteArray();
	}

	private static boolean isHex(char c) {
		return Character.digit(c, 16) >= 0;
	}

}
