package dev.batchline.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.contracts.Topics;
import dev.batchline.launcher.Folders;
import dev.batchline.launcher.LocalPipeline;
import dev.batchline.launcher.PipelineOptions;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.system.AbuseClient.Answer;
import dev.batchline.system.AbuseClient.RawAnswer;
import dev.batchline.system.AbuseClient.Tenant;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The abuse suite (issue 25): the packaged services as their own processes, as
 * {@code ./batchline up} runs them (embedded PostgreSQL, a KRaft broker, the api-service
 * at {@code -Xmx512m}, the webhook dispatcher, two workers), with the SSRF guard on, the
 * default limits, and a hostile client: slow uploads, floods, wrong keys, huge bodies,
 * crafted parameters, internal webhook URLs, poison records. Every answer of the suite is
 * counted by status: none may be 500 or more. A neighbour tenant keeps reading and
 * submitting 1-item jobs through it; every one of its jobs must succeed.
 * <p>
 * With the guard on, nothing in the suite can receive a webhook on loopback: the
 * endpoints it makes point at a public address and get no events (their tenant submits no
 * jobs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseSuiteIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(AbuseSuiteIntegrationTests.class);

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	private static final String ONE_ITEM = "{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2]]}";

	private static final String IRIS_LINE = "[5.1,3.5,1.4,0.2]\n";

	/** A public address (no DNS needed) for the endpoints the guard must let through. */
	private static final String PUBLIC_URL = "https://93.184.215.14/batchline-abuse-suite/";

	/** The target for another tenant's reads and 1-item submissions, p99. */
	private static final double NEIGHBOUR_P99_TARGET_MILLIS = 100;

	/**
	 * What the suite asserts of that p99: on two cores shared with the suite's own
	 * client, the other builds of a CI machine and four JVMs, the odd request waits for a
	 * core (logged against the target). The failure this guards against is a pool or
	 * thread exhausted: answers after seconds, or 503s.
	 */
	private static final double NEIGHBOUR_P99_BOUND_MILLIS = 250;

	private static final int SLOW_UPLOADS = 50;

	/** The jobs that must succeed, each with its tenant's key. */
	private final Map<UUID, String> normalJobs = new ConcurrentHashMap<>();

	private final Map<String, Long> timings = new ConcurrentHashMap<>();

	/** The key of the tenant of each job the suite submitted. */
	private final Map<UUID, String> owners = new ConcurrentHashMap<>();

	private LocalPipeline pipeline;

	private AbuseClient client;

	private Topics topics;

	/** The neighbour: default limits, reads and 1-item jobs through the whole suite. */
	private Tenant neighbour;

	private UUID neighbourStatusJob;

	private long suiteStart;

	@BeforeAll
	void up() throws InterruptedException, IOException {
		this.suiteStart = System.nanoTime();
		Path work = ROOT.resolve("system-tests/target/abuse-work");
		Folders.deleteTree(work);
		// the SSRF guard on, as in production; the launcher lifts it for local runs
		Map<String, String> env = Map.of("BATCHLINE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "false");
		this.pipeline = LocalPipeline.up(new PipelineOptions(ROOT, work, 2, ServiceProcess.freePort(),
				ServiceProcess.freePort(), ServiceProcess.freePort(), env));
		this.topics = new Topics(Topics.DEFAULT_PREFIX);
		int port = Integer.parseInt(this.pipeline.api().url("").replaceAll(".*:", ""));
		this.client = new AbuseClient("localhost", port, this.pipeline.adminTokenValue());
		this.neighbour = this.client.tenant("neighbour");
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> this.client.get("/v1/models", this.neighbour.key()).text().contains("\"iris\""));
		this.neighbourStatusJob = submitNeighbourJob();
		// fresh JVMs: the JIT compiles the neighbour's paths before anything is measured
		log.info("Abuse suite: warm-up, the neighbour's {}", Probe.measure(this, Duration.ofSeconds(5)));
		this.timings.put("pipeline start", System.nanoTime() - this.suiteStart);
		log.info("Abuse suite: pipeline up in {} s (api-service -Xmx512m, 2 workers, SSRF guard on)",
				(System.nanoTime() - this.suiteStart) / 1_000_000_000);
	}

	@AfterAll
	void down() {
		if (this.client != null) {
			log.info("Abuse suite: {} s in all; answers by status {}; time per part (s) {}",
					(System.nanoTime() - this.suiteStart) / 1_000_000_000, this.client.tally(), seconds());
		}
		if (this.pipeline != null) {
			this.pipeline.close();
		}
	}

	@Test
	@Order(1)
	void fiftySlowUploadsAreCutWith408WhileAnotherTenantsReadsAndJobsStayFast() throws Exception {
		long start = System.nanoTime();
		Tenant slow = this.client.tenant("slow-uploads");
		Probe.Figures quiet = Probe.measure(this, Duration.ofSeconds(4));
		Probe probe = Probe.start(this);
		List<Future<RawAnswer>> uploads = new ArrayList<>();
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			// most trickle a few bytes a second (cut by the pace), some stall (cut when
			// idle)
			for (int i = 0; i < SLOW_UPLOADS; i++) {
				boolean stall = i % 5 == 0;
				uploads.add(threads.submit(() -> slowUpload(slow, stall)));
			}
			List<RawAnswer> answers = new ArrayList<>();
			for (Future<RawAnswer> upload : uploads) {
				answers.add(upload.get());
			}
			Probe.Figures figures = probe.stop();
			log.info("Abuse suite: {} slow uploads answered {} in {} s; meanwhile the neighbour's {} (before them: {})",
					SLOW_UPLOADS, answers.stream().map(RawAnswer::status).toList(),
					(System.nanoTime() - start) / 1_000_000_000, figures, quiet);
			assertThat(answers).allSatisfy((answer) -> {
				assertThat(answer.status()).as(answer.text()).isEqualTo(408);
				assertThat(answer.text()).contains("request-timeout");
			});
			assertThat(figures.failures()).as("the neighbour's failed requests").isEmpty();
			assertThat(figures.reads()).isGreaterThan(50);
			log.info(
					"Abuse suite: the neighbour's p99 under the slow uploads: reads {} ms, submissions {} ms "
							+ "(target {} ms, asserted below {} ms)",
					String.format("%.1f", figures.readP99()), String.format("%.1f", figures.submitP99()),
					NEIGHBOUR_P99_TARGET_MILLIS, NEIGHBOUR_P99_BOUND_MILLIS);
			assertThat(figures.readP99()).as("the neighbour's status reads, p99 ms (quiet: %.1f)", quiet.readP99())
				.isLessThan(Math.max(NEIGHBOUR_P99_BOUND_MILLIS, 3 * quiet.readP99()));
			assertThat(figures.submitP99())
				.as("the neighbour's 1-item submissions, p99 ms (quiet: %.1f)", quiet.submitP99())
				.isLessThan(Math.max(NEIGHBOUR_P99_BOUND_MILLIS, 3 * quiet.submitP99()));
		}
		this.timings.put("1 slow uploads", System.nanoTime() - start);
	}

	@Test
	@Order(2)
	void aFloodingTenantIsRateLimitedWithRetryAfterAndRateLimitHeaders() throws Exception {
		long start = System.nanoTime();
		// the default (100 a second) shows on every answer of the other tenants
		Answer usual = this.client.get("/v1/jobs?limit=1", this.neighbour.key());
		assertThat(usual.header("RateLimit-Policy")).hasValue("\"requests\";q=100;w=1");
		assertThat(usual.header("RateLimit"))
			.hasValueSatisfying((value) -> assertThat(value).startsWith("\"requests\";r="));
		// lowered for the flooding tenant, so that any machine floods faster than that
		Tenant flood = this.client.tenant("flood");
		this.client.limits(flood, "{\"requests_per_second\":20}");
		List<Answer> answers = new CopyOnWriteArrayList<>();
		try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
			for (int t = 0; t < 16; t++) {
				threads.submit(() -> {
					for (int i = 0; i < 25; i++) {
						answers.add(this.client.get("/v1/jobs?limit=1", flood.key()));
					}
				});
			}
		}
		List<Answer> limited = answers.stream().filter((answer) -> answer.status() == 429).toList();
		log.info("Abuse suite: a flood of {} requests: {} answered 429", answers.size(), limited.size());
		assertThat(answers).allSatisfy((answer) -> {
			assertThat(answer.status()).as(answer.toString()).isIn(200, 429);
			assertThat(answer.header("RateLimit-Policy")).as(answer.toString()).hasValue("\"requests\";q=20;w=1");
			assertThat(answer.header("RateLimit")).as(answer.toString()).isPresent();
		});
		assertThat(limited).isNotEmpty().allSatisfy((answer) -> {
			assertThat(answer.problem()).isEqualTo("rate-limited");
			assertThat(answer.header("Retry-After")).as(answer.toString()).isPresent();
			assertThat(Long.parseLong(answer.header("Retry-After").orElseThrow())).isPositive();
		});
		this.timings.put("2 flood", System.nanoTime() - start);
	}

	@Test
	@Order(3)
	void itemsPerMinuteJobsInFlightWebhookEndpointsAndStoredBytesAreLimited() throws Exception {
		long start = System.nanoTime();
		// items per minute, lowered for this tenant through the admin API
		Tenant items = this.client.tenant("items");
		this.client.limits(items, "{\"items_per_minute\":100}");
		normal(items, this.client.postJson("/v1/jobs", items.key(), irisJob(60)));
		Answer overItems = this.client.postJson("/v1/jobs", items.key(), irisJob(60));
		assertLimited(overItems, "rate-limited", "\"items\";q=100;w=60");
		Answer tooLarge = this.client.postJson("/v1/jobs", items.key(), irisJob(101));
		assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
		assertThat(tooLarge.problem()).isEqualTo("too-many-items");

		// jobs in flight: the workers are held (SIGSTOP) so that two jobs stay unfinished
		Tenant inFlight = this.client.tenant("in-flight");
		this.client.limits(inFlight, "{\"jobs_in_flight\":2}");
		List<UUID> held = new ArrayList<>();
		withWorkersHeld(() -> {
			held.add(normal(inFlight, this.client.postJson("/v1/jobs", inFlight.key(), irisJob(3))));
			held.add(normal(inFlight, this.client.postJson("/v1/jobs", inFlight.key(), irisJob(3))));
			assertLimited(this.client.postJson("/v1/jobs", inFlight.key(), irisJob(3)), "quota-exceeded",
					"\"jobs-in-flight\";q=2");
		});
		awaitState(held, "SUCCEEDED");
		normal(inFlight, this.client.postJson("/v1/jobs", inFlight.key(), irisJob(3)));

		// webhook endpoints, at the default quota of 50
		Tenant endpoints = this.client.tenant("endpoints");
		for (int i = 0; i < 50; i++) {
			AbuseClient.expect(this.client.postJson("/v1/webhook-endpoints", endpoints.key(),
					"{\"url\":\"" + PUBLIC_URL + i + "\"}"), 201);
		}
		assertLimited(
				this.client.postJson("/v1/webhook-endpoints", endpoints.key(), "{\"url\":\"" + PUBLIC_URL + "50\"}"),
				"quota-exceeded", "\"webhook-endpoints\";q=50");

		// stored bytes: a job's input and results count until they are purged
		Tenant stored = this.client.tenant("stored");
		this.client.limits(stored, "{\"stored_bytes\":1000}");
		UUID first = normal(stored, this.client.postJson("/v1/jobs", stored.key(), irisJob(200)));
		awaitState(List.of(first), "SUCCEEDED");
		// the service sums a tenant's stored bytes at most once per 5 s: later jobs may
		// pass until then
		Answer[] refused = new Answer[1];
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			Answer answer = this.client.postJson("/v1/jobs", stored.key(), irisJob(1));
			if (answer.status() == 202) {
				normal(stored, answer);
			}
			refused[0] = answer;
			return answer.status() != 202;
		});
		assertLimited(refused[0], "quota-exceeded", "\"stored-bytes\";q=1000");
		this.timings.put("2 quotas", System.nanoTime() - start);
	}

	@Test
	@Order(4)
	void wrongKeysAreRefusedThenThrottledPerAddressWithoutADatabaseQueryEach() throws Exception {
		long start = System.nanoTime();
		// from an address of their own, so that the throttle hits only these requests
		HttpClient guesser = AbuseClient.client(InetAddress.getByName("127.0.0.2"));
		// the neighbour's key is known to this replica (its answer cached)
		AbuseClient.expect(this.client.get("/v1/jobs/" + this.neighbourStatusJob, this.neighbour.key()), 200);
		double lookupsBefore = keyLookups();
		List<Answer> answers = new CopyOnWriteArrayList<>();
		try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
			for (int t = 0; t < 6; t++) {
				threads.submit(() -> {
					for (int i = 0; i < 50; i++) {
						answers.add(this.client.send(guesser, "GET", "/v1/jobs", wellFormedWrongKey(), null, null));
					}
				});
			}
		}
		long elapsed = System.nanoTime() - start;
		// a key this replica knows to be valid still passes from the throttled address
		Answer known = this.client.send(guesser, "GET", "/v1/jobs/" + this.neighbourStatusJob, this.neighbour.key(),
				null, null);
		// and other addresses are not throttled
		Answer other = this.client.get("/v1/jobs?limit=1", this.client.tenant("after-guessing").key());
		long unauthorized = answers.stream().filter((answer) -> answer.status() == 401).count();
		long throttled = answers.stream().filter((answer) -> answer.status() == 429).count();
		double lookups = keyLookups() - lookupsBefore;
		log.info("Abuse suite: {} wrong keys in {} ms: {} answered 401, {} answered 429; {} key lookups",
				answers.size(), elapsed / 1_000_000, unauthorized, throttled, lookups);
		assertThat(unauthorized + throttled).isEqualTo(300);
		// 60 a minute, refilled one a second, and a few in flight when the bucket empties
		long allowed = 60 + Duration.ofNanos(elapsed).toSeconds() + 1 + 6;
		assertThat(unauthorized).as("answered 401 before the throttle").isBetween(60L, allowed);
		assertThat(answers.stream().filter((answer) -> answer.status() == 429))
			.allSatisfy((answer) -> assertThat(answer.problem()).isEqualTo("rate-limited"));
		assertThat(lookups).as("database lookups of keys").isLessThanOrEqualTo(unauthorized + 2);
		assertThat(known.status()).as(known.toString()).isEqualTo(200);
		assertThat(other.status()).as(other.toString()).isEqualTo(200);
		this.timings.put("2 wrong keys", System.nanoTime() - start);
	}

	@Test
	@Order(5)
	void hugeBodiesAre4xxAt512MbWhileAnotherTenantsRequestsSucceed() throws Exception {
		long start = System.nanoTime();
		Tenant huge = this.client.tenant("huge");
		Probe probe = Probe.start(this);
		// a 64 MiB JSON body (the most the service takes) of tiny items
		long jsonBytes = 64L * 1024 * 1024;
		RawAnswer json = this.client.raw(head("POST /v1/jobs", huge, "application/json", jsonBytes),
				(out) -> tinyItems(out, jsonBytes));
		// an NDJSON body of one 100 MB line
		long lineBytes = 100_000_000;
		RawAnswer line = this.client.raw(head("POST /v1/jobs?model=iris", huge, "application/x-ndjson", lineBytes),
				(out) -> oneLongLine(out, lineBytes));
		Probe.Figures figures = probe.stop();
		Answer metadata = this.client.postJson("/v1/jobs", huge.key(),
				"{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2]],\"metadata\":{\"note\":\"" + "漢".repeat(6000)
						+ "\"}}");
		log.info(
				"Abuse suite: 64 MiB JSON of tiny items -> {}, a 100 MB NDJSON line -> {}, 6,000 CJK characters of "
						+ "metadata -> {} {}; meanwhile the neighbour's {}",
				json.status(), line.status(), metadata.status(), metadata.problem(), figures);
		assertThat(json.status()).as(json.text()).isEqualTo(413);
		assertThat(json.isProblem()).as(json.text()).isTrue();
		assertThat(line.status()).as(line.text()).isEqualTo(413);
		assertThat(line.text()).contains("item-too-large");
		assertThat(metadata.status()).as(metadata.toString()).isEqualTo(422);
		assertThat(metadata.problem()).isEqualTo("invalid-request");
		assertThat(figures.failures()).as("the neighbour's failed requests").isEmpty();
		assertThat(figures.reads()).isPositive();
		assertThat(this.pipeline.api().isAlive()).isTrue();
		assertThat(Files.readString(this.pipeline.api().log())).doesNotContain("OutOfMemoryError");
		this.timings.put("3 huge bodies", System.nanoTime() - start);
	}

	@Test
	@Order(6)
	void malformedParametersAre4xxProblems() {
		long start = System.nanoTime();
		Tenant tenant = this.client.tenant("parameters");
		String endpoint = AbuseClient
			.expect(this.client.postJson("/v1/webhook-endpoints", tenant.key(), "{\"url\":\"" + PUBLIC_URL + "\"}"),
					201)
			.json()
			.get("id")
			.asString();
		String farFuture = cursor(Instant.MAX);
		String farPast = cursor(Instant.MIN);
		List<Answer> answers = new ArrayList<>();
		for (String path : List.of("/v1/jobs?cursor=" + farFuture, "/v1/jobs?cursor=" + farPast,
				"/v1/jobs?cursor=" + cursor(Instant.parse("+294277-01-01T00:00:00Z")),
				"/v1/webhook-deliveries?cursor=" + farFuture, "/v1/webhook-deliveries?cursor=" + farPast,
				"/v1/jobs?cursor=bm90LWEtY3Vyc29y", "/v1/jobs?limit=-1", "/v1/jobs?limit=99999999999",
				"/v1/jobs?state=EXPLODED", "/v1/jobs/not-a-uuid", "/v1/webhook-deliveries?status=SOMETIMES",
				"/v1/webhook-deliveries?job_id=1", "/v1/jobs/" + UUID.randomUUID() + "/results?cursor=-1")) {
			answers.add(this.client.get(path, tenant.key()));
		}
		for (String since : List.of(Instant.MAX.toString(), "+294277-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z",
				"yesterday")) {
			answers.add(
					this.client.send("POST",
							"/v1/webhook-endpoints/" + endpoint + "/replay?since="
									+ java.net.URLEncoder.encode(since, StandardCharsets.UTF_8),
							tenant.key(), null, null));
		}
		List<RawAnswer> raw = Stream.of("/v1/jobs?cursor=%%%garbage", "/v1/jobs?limit=%ZZ", "/v1/jobs?state=%C0%AF")
			.map((path) -> this.client.raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
					+ tenant.key() + "\r\nConnection: close", null))
			.toList();
		answers.forEach(
				(answer) -> log.info("Abuse suite: {} -> {} {}", answer.request(), answer.status(), answer.problem()));
		raw.forEach((answer) -> log.info("Abuse suite: raw -> {}", answer.status()));
		assertThat(answers).allSatisfy((answer) -> {
			assertThat(answer.status()).as(answer.toString()).isBetween(400, 499);
			assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
		});
		assertThat(raw).allSatisfy((answer) -> {
			assertThat(answer.status()).as(answer.text()).isBetween(400, 499);
			assertThat(answer.isProblem()).as(answer.text()).isTrue();
		});
		this.timings.put("4 parameters", System.nanoTime() - start);
	}

	@Test
	@Order(7)
	void webhookUrlsOnSpecialPurposeAddressesAreRefusedWithoutDisclosingWhatANameResolvesTo() {
		long start = System.nanoTime();
		Tenant tenant = this.client.tenant("ssrf");
		List<String> refused = List.of("http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/",
				"http://[64:ff9b:1::a00:1]/", "http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::]/",
				"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[::ffff:127.0.0.1]/",
				"http://[::ffff:169.254.169.254]/", "http://[::127.0.0.1]/", "http://[::10.0.0.1]/", "http://[::1]/",
				"http://[fc00::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[2001:db8::1]/",
				"http://[100::1]/", "http://192.0.2.1/", "http://198.51.100.7/", "http://203.0.113.9/",
				"http://198.18.0.1/", "http://240.0.0.1/", "http://255.255.255.255/", "http://224.0.0.1/",
				"http://0.0.0.0/", "http://127.0.0.1/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
				"http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/", "http://192.0.0.1/",
				"http://2130706433/", "http://0x7f000001/", "http://localhost/", "http://localhost.:8080/");
		List<Answer> answers = new ArrayList<>();
		for (String url : refused) {
			answers.add(this.client.postJson("/v1/webhook-endpoints", tenant.key(), "{\"url\":\"" + url + "\"}"));
		}
		Answer callback = this.client.postJson("/v1/jobs", tenant.key(),
				"{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2]],\"callback\":{\"url\":\"http://[64:ff9b::7f00:1]/\"}}");
		Answer allowed = this.client.postJson("/v1/webhook-endpoints", tenant.key(),
				"{\"url\":\"" + PUBLIC_URL + "\"}");
		answers.forEach(
				(answer) -> log.info("Abuse suite: {} -> {} {}", answer.request(), answer.status(), answer.text()));
		for (int i = 0; i < refused.size(); i++) {
			Answer answer = answers.get(i);
			assertThat(answer.status()).as(refused.get(i) + ": " + answer).isEqualTo(422);
			assertThat(answer.problem()).as(refused.get(i) + ": " + answer).isEqualTo("forbidden-url");
		}
		// a name's refusal does not say what it resolves to
		for (Answer answer : answers.subList(refused.size() - 2, refused.size())) {
			assertThat(answer.json().path("detail").asString()).doesNotContain("127.0.0.1").doesNotContain("::1");
			assertThat(answer.text()).doesNotContain("127.0.0.1").doesNotContain("0:0:0:0:0:0:0:1");
		}
		assertThat(callback.status()).as(callback.toString()).isEqualTo(422);
		assertThat(callback.problem()).isEqualTo("forbidden-url");
		assertThat(allowed.status()).as(allowed.toString()).isEqualTo(201);
		this.timings.put("5 SSRF", System.nanoTime() - start);
	}

	@Test
	@Order(8)
	void aJobsInputIsDeletedWhenItEndsAndItsResultsArePurgedAfterTheirRetentionThen410() throws Exception {
		long start = System.nanoTime();
		Answer submitted = this.client.postJson("/v1/jobs", this.neighbour.key(), "{\"model\":\"iris\",\"instances\":"
				+ irisInstances(1200) + ",\"output_expires_after\":{\"anchor\":\"created_at\",\"seconds\":3600}}");
		UUID id = normal(this.neighbour, submitted);
		JsonNode job = awaitState(List.of(id), "SUCCEEDED").get(0);
		Instant finished = Instant.parse(job.get("finished_at").asString());
		assertThat(Instant.parse(job.get("results_expire_at").asString()))
			.isEqualTo(finished.plus(Duration.ofHours(1)));
		try (Connection db = database()) {
			assertThat(count(db, "select count(*) from input_chunks where job_id = ?", id)).as("input chunks").isZero();
			assertThat(count(db, "select count(*) from chunk_results where job_id = ?", id)).as("chunk results")
				.isEqualTo(count(db, "select total_chunks from jobs where id = ?", id));
			// an hour cannot pass in the suite: the retention is moved instead, and the
			// service's own purge does the rest
			try (PreparedStatement expire = db
				.prepareStatement("update jobs set results_expire_at = now() - interval '1 second' where id = ?")) {
				expire.setObject(1, id);
				assertThat(expire.executeUpdate()).isOne();
			}
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> this.client.get("/v1/jobs/" + id + "/results", this.neighbour.key()).status() == 410);
			assertThat(count(db, "select count(*) from chunk_results where job_id = ?", id)).as("chunk results")
				.isZero();
		}
		Answer gone = this.client.get("/v1/jobs/" + id + "/results", this.neighbour.key());
		assertThat(gone.problem()).isEqualTo("gone");
		Answer purged = AbuseClient.expect(this.client.get("/v1/jobs/" + id, this.neighbour.key()), 200);
		assertThat(purged.json().get("state").asString()).isEqualTo("SUCCEEDED");
		assertThat(purged.json().hasNonNull("purged_at")).isTrue();
		this.timings.put("6 retention", System.nanoTime() - start);
	}

	@Test
	@Order(9)
	void aPoisonResultIsDeadLetteredWithItsReasonAndItsJobsItemsFailVisibly() throws Exception {
		long start = System.nanoTime();
		Tenant tenant = this.client.tenant("poisoned");
		try (KafkaConsumer<String, byte[]> deadLetters = new KafkaConsumer<>(
				Map.of("bootstrap.servers", this.pipeline.bootstrapServers(), "group.id",
						"abuse-suite-" + UUID.randomUUID(), "auto.offset.reset", "latest", "key.deserializer",
						StringDeserializer.class, "value.deserializer", ByteArrayDeserializer.class));
				KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(
						Map.of("bootstrap.servers", this.pipeline.bootstrapServers(), "key.serializer",
								StringSerializer.class, "value.serializer", CloudEventSerializer.class))) {
			deadLetters.subscribe(List.of(this.topics.resultsDeadLetter()));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				deadLetters.poll(Duration.ofMillis(100));
				return !deadLetters.assignment().isEmpty();
			});
			// fixes the positions before the poison is sent ("latest")
			deadLetters.assignment().forEach(deadLetters::position);
			UUID[] poisoned = new UUID[1];
			// the workers are held so that the poison is the job's only result for a
			// while
			withWorkersHeld(() -> {
				poisoned[0] = accepted(this.client.postJson("/v1/jobs", tenant.key(), irisJob(2)));
				this.owners.put(poisoned[0], tenant.key());
				String job = poisoned[0].toString();
				JsonNode output = JsonNodeFactory.instance.objectNode().put("class_id", 0);
				// text with a NUL character: PostgreSQL refuses it every time
				ChunkCompleted poison = new ChunkCompleted(poisoned[0], 0, 0, "iris", "1", "worker\u0000one",
						List.of(ItemResult.success(0, output), ItemResult.success(1, output)));
				producer.send(new ProducerRecord<>(this.topics.results(), job,
						CloudEventRecords.event(ChunkCompleted.TYPE, "worker-service", job, poison)));
				producer.flush();
				awaitState(List.of(poisoned[0]), "FAILED");
			});
			ConsumerRecord<String, byte[]> letter = null;
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (letter == null && System.nanoTime() < deadline) {
				for (ConsumerRecord<String, byte[]> record : deadLetters.poll(Duration.ofMillis(200))) {
					if (poisoned[0].toString().equals(record.key())) {
						letter = record;
					}
				}
			}
			assertThat(letter).as("the dead letter of job %s", poisoned[0]).isNotNull();
			assertThat(header(letter, RecordHeaders.REASON)).isEqualTo(DeadLetterReasons.UNSTORABLE);
			assertThat(header(letter, RecordHeaders.ERROR)).isNotBlank();
			// the workers' own result, later, changes nothing
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(10))
				.until(() -> this.client.get("/v1/jobs/" + poisoned[0], tenant.key()).text().contains("\"FAILED\""));
			JsonNode job = AbuseClient.expect(this.client.get("/v1/jobs/" + poisoned[0], tenant.key()), 200).json();
			assertThat(job.get("state").asString()).isEqualTo("FAILED");
			assertThat(job.get("counts").get("failed").asLong()).isEqualTo(2);
			JsonNode errors = AbuseClient
				.expect(this.client.get("/v1/jobs/" + poisoned[0] + "/errors", tenant.key()), 200)
				.json();
			assertThat(errors.get("data")).hasSize(2);
			assertThat(errors.get("data").get(0).get("error").get("code").asString())
				.isEqualTo(ItemError.RESULT_INVALID);
			log.info("Abuse suite: poison result of job {} dead-lettered ({}: {}); job FAILED with {}", poisoned[0],
					header(letter, RecordHeaders.REASON), header(letter, RecordHeaders.ERROR),
					errors.get("data").get(0).get("error"));
		}
		this.timings.put("7 poison", System.nanoTime() - start);
	}

	@Test
	@Order(100)
	void everyNormalJobSucceededWithEveryResultAndNoAnswerWas5xx() {
		List<UUID> ids = List.copyOf(this.normalJobs.keySet());
		List<JsonNode> jobs = awaitState(ids, "SUCCEEDED");
		long items = 0;
		for (JsonNode job : jobs) {
			JsonNode counts = job.get("counts");
			assertThat(counts.get("succeeded").asLong()).as(job.toString()).isEqualTo(counts.get("total").asLong());
			items += counts.get("total").asLong();
			if (!job.hasNonNull("purged_at")) {
				String id = job.get("id").asString();
				String results = AbuseClient
					.expect(this.client.send("GET", "/v1/jobs/" + id + "/results", this.owners.get(UUID.fromString(id)),
							null, null), 200)
					.text();
				assertThat(EventCodec.tree(results.getBytes(StandardCharsets.UTF_8)).get("data"))
					.as("results of job %s", id)
					.hasSize((int) counts.get("total").asLong());
			}
		}
		log.info("Abuse suite: {} jobs ({} items) submitted beside the abuse, every one SUCCEEDED; answers by "
				+ "status {}", jobs.size(), items, this.client.tally());
		assertThat(this.client.serverErrors()).as("answers of 500 or more").isEmpty();
		assertThat(this.client.tally().keySet()).allSatisfy((status) -> assertThat(status).isLessThan(500));
	}

	/**
	 * An NDJSON upload that trickles a few bytes every half second (or stalls after its
	 * first bytes), reading the answer as soon as one comes.
	 */
	private RawAnswer slowUpload(Tenant tenant, boolean stall) throws IOException {
		byte[] trickle = IRIS_LINE.repeat(1000).getBytes(StandardCharsets.US_ASCII);
		try (Socket socket = new Socket("localhost", this.client.port())) {
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write((head("POST /v1/jobs?model=iris", tenant, "application/x-ndjson", trickle.length) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			int sent = 0;
			long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
			while (System.nanoTime() < deadline) {
				try {
					int b = in.read();
					if (b < 0) {
						break;
					}
					received.write(b);
					if (received.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
						socket.setSoTimeout(5000);
						RawAnswer answer = AbuseClient.readAnswer(new java.io.SequenceInputStream(
								new java.io.ByteArrayInputStream(received.toByteArray()), in));
						this.client.count(answer.status(), "slow upload", answer.text());
						return answer;
					}
				}
				catch (SocketTimeoutException ex) {
					if ((!stall || sent < 4) && sent + 4 <= trickle.length) {
						out.write(trickle, sent, 4);
						out.flush();
						sent += 4;
					}
				}
			}
			throw new AssertionError("a slow upload got no answer, " + sent + " bytes sent: " + received);
		}
	}

	private static String head(String requestLine, Tenant tenant, String contentType, long length) {
		return requestLine + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
				+ "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + length;
	}

	/**
	 * {@code {"model":"iris","instances":[[1,1,1,1],…]}} of exactly {@code bytes}: Iris
	 * items of ten bytes each.
	 */
	private static void tinyItems(OutputStream out, long bytes) throws IOException {
		String item = "[1,1,1,1],";
		byte[] start = "{\"model\":\"iris\",\"instances\":[".getBytes(StandardCharsets.US_ASCII);
		byte[] end = "[1,1,1,1]]}".getBytes(StandardCharsets.US_ASCII);
		long middle = bytes - start.length - end.length;
		out.write(start);
		byte[] block = item.repeat(8192).getBytes(StandardCharsets.US_ASCII);
		long left = middle - middle % item.length();
		while (left > 0) {
			int n = (int) Math.min(block.length, left);
			out.write(block, 0, n);
			left -= n;
		}
		out.write(" ".repeat((int) (middle % item.length())).getBytes(StandardCharsets.US_ASCII));
		out.write(end);
	}

	/** One NDJSON line of {@code bytes}, its newline included: an array of ones. */
	private static void oneLongLine(OutputStream out, long bytes) throws IOException {
		out.write('[');
		byte[] block = "1,".repeat(32_768).getBytes(StandardCharsets.US_ASCII);
		long left = bytes - 4;
		while (left > 0) {
			int n = (int) Math.min(block.length, left);
			out.write(block, 0, n);
			left -= n;
		}
		out.write("1]\n".getBytes(StandardCharsets.US_ASCII));
	}

	private static String irisInstances(int items) {
		return IntStream.range(0, items)
			.mapToObj((i) -> "[" + (4.5 + (i % 30) / 10.0) + ",3.1,1.5,0.2]")
			.collect(java.util.stream.Collectors.joining(",", "[", "]"));
	}

	private static String irisJob(int items) {
		return "{\"model\":\"iris\",\"instances\":" + irisInstances(items) + "}";
	}

	private static UUID accepted(Answer answer) {
		return UUID.fromString(AbuseClient.expect(answer, 202).json().get("id").asString());
	}

	private static void assertLimited(Answer answer, String problem, String policy) {
		assertThat(answer.status()).as(answer.toString()).isEqualTo(429);
		assertThat(answer.problem()).as(answer.toString()).isEqualTo(problem);
		assertThat(answer.header("Retry-After")).as(answer.toString()).isPresent();
		assertThat(answer.headers().allValues("RateLimit-Policy")).as(answer.toString())
			.anySatisfy((value) -> assertThat(value).contains(policy));
		assertThat(answer.header("RateLimit")).as(answer.toString()).isPresent();
	}

	private UUID submitNeighbourJob() {
		return normal(this.neighbour, this.client.postJson("/v1/jobs", this.neighbour.key(), ONE_ITEM));
	}

	/** A job that must succeed: accepted (202), and checked at the end of the suite. */
	private UUID normal(Tenant tenant, Answer answer) {
		UUID id = accepted(answer);
		this.owners.put(id, tenant.key());
		this.normalJobs.put(id, tenant.key());
		return id;
	}

	/** Polls the jobs until every one is in {@code state}; their last views. */
	private List<JsonNode> awaitState(List<UUID> ids, String state) {
		Map<UUID, JsonNode> views = new ConcurrentHashMap<>();
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
			for (UUID id : ids) {
				JsonNode view = views.get(id);
				if (view == null || !view.get("state").asString().equals(state)) {
					Answer answer = this.client.get("/v1/jobs/" + id, this.owners.get(id));
					if (answer.status() == 200) {
						views.put(id, answer.json());
					}
				}
			}
			return ids.stream()
				.allMatch((id) -> views.containsKey(id) && views.get(id).get("state").asString().equals(state));
		});
		return ids.stream().map(views::get).toList();
	}

	/**
	 * Runs {@code action} while every worker is stopped (SIGSTOP), then lets them go on.
	 */
	private void withWorkersHeld(ThrowingRunnable action) throws Exception {
		List<ServiceProcess> workers = this.pipeline.workers();
		workers.forEach(ServiceProcess::suspend);
		try {
			action.run();
		}
		finally {
			workers.forEach(ServiceProcess::resume);
		}
	}

	interface ThrowingRunnable {

		void run() throws Exception;

	}

	/** Database lookups of API keys so far: the api-service's Spring Data metric. */
	private double keyLookups() throws Exception {
		HttpResponse<byte[]> metric = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(this.pipeline.api()
				.managementUrl("/actuator/metrics/spring.data.repository.invocations"
						+ "?tag=repository:ApiKeyRepository&tag=method:findByKeyHash")))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (metric.statusCode() == 404) {
			return 0;
		}
		assertThat(metric.statusCode()).isEqualTo(200);
		for (JsonNode measurement : EventCodec.tree(metric.body()).get("measurements")) {
			if (measurement.get("statistic").asString().equals("COUNT")) {
				return measurement.get("value").asDouble();
			}
		}
		throw new AssertionError("no COUNT in " + metric);
	}

	private static String wellFormedWrongKey() {
		byte[] random = new byte[32];
		java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
		return "bl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

	private static String cursor(Instant at) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((at + "|" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
	}

	private Connection database() throws SQLException {
		return DriverManager.getConnection(this.pipeline.jdbcUrl(), "postgres", "postgres");
	}

	private static long count(Connection db, String sql, UUID id) throws SQLException {
		try (PreparedStatement statement = db.prepareStatement(sql)) {
			statement.setObject(1, id);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

	private static String header(ConsumerRecord<String, byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	private Map<String, Long> seconds() {
		Map<String, Long> seconds = new java.util.TreeMap<>();
		this.timings.forEach((part, nanos) -> seconds.put(part, nanos / 1_000_000_000));
		return seconds;
	}

	/**
	 * The neighbour's traffic while the abuse goes on: a request every 20 ms or so (well
	 * within its 100 requests a second), nine status reads then a 1-item job (well within
	 * its 10 jobs a second), each request timed.
	 */
	static final class Probe {

		/** What the neighbour saw. */
		record Figures(int reads, double readP50, double readP99, int submits, double submitP50, double submitP99,
				List<String> failures, String slowest) {

			@Override
			public String toString() {
				return String.format(
						"%d status reads p50 %.1f ms p99 %.1f ms, %d 1-item submissions p50 %.1f ms p99 %.1f ms, %d failures",
						this.reads, this.readP50, this.readP99, this.submits, this.submitP50, this.submitP99,
						this.failures.size()) + "; slowest (ms at s since the start) " + this.slowest;
			}

		}

		private final AbuseClient client;

		private final AbuseSuiteIntegrationTests suite;

		private final List<Long> reads = new CopyOnWriteArrayList<>();

		private final List<Long> submits = new CopyOnWriteArrayList<>();

		private final List<String> failures = new CopyOnWriteArrayList<>();

		/** Each request's start (ns) and its time (ns). */
		private final Map<Long, Long> started = new ConcurrentHashMap<>();

		private final long start = System.nanoTime();

		private volatile boolean stopping;

		private Thread thread;

		private Probe(AbuseSuiteIntegrationTests suite) {
			this.suite = suite;
			this.client = suite.client;
		}

		/** The neighbour's figures over {@code length} of its traffic. */
		static Figures measure(AbuseSuiteIntegrationTests suite, Duration length) throws InterruptedException {
			Probe probe = start(suite);
			Thread.sleep(length.toMillis());
			return probe.stop();
		}

		static Probe start(AbuseSuiteIntegrationTests suite) {
			Probe probe = new Probe(suite);
			probe.thread = Thread.ofPlatform().name("neighbour").start(probe::run);
			return probe;
		}

		private void run() {
			for (int i = 0; !this.stopping; i++) {
				try {
					if (i % 10 == 9) {
						long at = System.nanoTime();
						Answer answer = this.client.postJson("/v1/jobs", this.suite.neighbour.key(), ONE_ITEM);
						this.submits.add(answer.nanos());
						this.started.put(at, answer.nanos());
						if (answer.status() == 202) {
							this.suite.normal(this.suite.neighbour, answer);
						}
						else {
							this.failures.add(answer.toString());
						}
					}
					else {
						long at = System.nanoTime();
						Answer answer = this.client.get("/v1/jobs/" + this.suite.neighbourStatusJob,
								this.suite.neighbour.key());
						this.reads.add(answer.nanos());
						this.started.put(at, answer.nanos());
						if (answer.status() != 200) {
							this.failures.add(answer.toString());
						}
					}
					Thread.sleep(20);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				catch (RuntimeException ex) {
					this.failures.add(ex.toString());
				}
			}
		}

		Figures stop() throws InterruptedException {
			this.stopping = true;
			this.thread.join();
			return new Figures(this.reads.size(), percentile(this.reads, 50), percentile(this.reads, 99),
					this.submits.size(), percentile(this.submits, 50), percentile(this.submits, 99),
					List.copyOf(this.failures), slowest());
		}

		/** The three slowest requests, each with when it started. */
		private String slowest() {
			return this.started.entrySet()
				.stream()
				.sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
				.limit(3)
				.map((e) -> String.format("%.0f@%.1f", e.getValue() / 1e6, (e.getKey() - this.start) / 1e9))
				.toList()
				.toString();
		}

		/** The nearest-rank percentile, in ms. */
		private static double percentile(List<Long> nanos, double p) {
			if (nanos.isEmpty()) {
				return Double.NaN;
			}
			long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
			int rank = (int) Math.ceil(p / 100 * sorted.length);
			return sorted[Math.max(0, rank - 1)] / 1e6;
		}

	}

}
