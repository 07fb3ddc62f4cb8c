package dev.batchline.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.TraceContext;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline as separate processes: the packaged api-service and two
 * worker-service JVMs (and the webhook dispatcher, for the lz4 check only), against a
 * real PostgreSQL and a real Kafka broker, running the Iris model that the build trained.
 * The expected outputs come from this test's own DJL predictions on the same SavedModel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(PipelineEndToEndIntegrationTests.class);

	private static final String ADMIN_TOKEN = "e2e-test-admin-token";

	private static final Topics TOPICS = new Topics("e2e");

	private static final int ITEMS = 10_000;

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", ".."));

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ServiceProcess> services = new ArrayList<>();

	private ServiceProcess api;

	private List<ServiceProcess> workers;

	private String tenantKey;

	@BeforeAll
	void startPipeline() {
		TestPostgres.Database database = TestPostgres.newDatabase();
		String kafka = TestKafka.bootstrapServers();
		Map<String, String> common = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafka, "BATCHLINE_TOPICS_PREFIX",
				TOPICS.prefix(), "BATCHLINE_TOPICS_PARTITIONS", "6");
		Map<String, String> apiEnv = new java.util.HashMap<>(common);
		apiEnv.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(), "BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN));
		this.api = track(start("api-service", "api-service", apiEnv));
		this.workers = List.of(track(start("worker-service", "worker-1", common)),
				track(start("worker-service", "worker-2", common)));
		this.api.awaitReady();
		// after the api-service has migrated the database; here only so that every
		// packaged service is asked which lz4 it runs
		Map<String, String> dispatcherEnv = new HashMap<>(apiEnv);
		dispatcherEnv.remove("BATCHLINE_API_ADMIN_TOKEN");
		ServiceProcess dispatcher = track(start("webhook-dispatcher", "webhook-dispatcher", dispatcherEnv));
		this.workers.forEach(ServiceProcess::awaitReady);
		dispatcher.awaitReady();
	}

	@AfterAll
	void stopPipeline() {
		this.services.forEach(ServiceProcess::close);
	}

	@Test
	void tenThousandIrisItemsFlowThroughTwoWorkersAndEveryResultEqualsTheModelsOwnOutput() throws Exception {
		String apiKey = tenantKey();
		List<float[]> rows = IrisModel.repeated(ROOT, ITEMS);
		String body = "{\"model\":\"iris\",\"instances\":["
				+ rows.stream().map(IrisModel::json).collect(Collectors.joining(",")) + "]}";

		long start = System.nanoTime();
		JsonNode accepted = call("POST", "/v1/jobs", apiKey, body);
		String id = accepted.get("id").asString();
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> call("GET", "/v1/jobs/" + id, apiKey, null).get("state").asString().equals("SUCCEEDED"));
		double seconds = (System.nanoTime() - start) / 1e9;
		log.info("End to end: {} items from POST to SUCCEEDED in {} s = {} items/s", ITEMS,
				String.format("%.2f", seconds), String.format("%.0f", ITEMS / seconds));

		JsonNode job = call("GET", "/v1/jobs/" + id, apiKey, null);
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(ITEMS);
		assertThat(job.get("history").findValuesAsString("to")).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");

		List<JsonNode> results = ndjson("/v1/jobs/" + id + "/results", apiKey);
		assertThat(results).hasSize(ITEMS);
		IrisModel.Outputs expected;
		try (IrisModel model = IrisModel.load(ROOT)) {
			expected = model.predict(rows);
		}
		for (int i = 0; i < ITEMS; i++) {
			JsonNode item = results.get(i);
			assertThat(item.get("index").asLong()).isEqualTo(i);
			JsonNode output = item.get("output");
			assertThat(output.get("class_id").asLong()).as("class of item %d", i).isEqualTo(expected.classes()[i]);
			for (int c = 0; c < 3; c++) {
				assertThat(output.get("probabilities").get(c).asDouble()).as("probability %d of item %d", c, i)
					.isCloseTo(expected.probabilities()[i][c], org.assertj.core.data.Offset.offset(1e-5));
			}
		}

		assertThat(jobEvents(UUID.fromString(id), JobEvent.SUCCEEDED)).contains(JobEvent.QUEUED, JobEvent.RUNNING,
				JobEvent.PROGRESS, JobEvent.SUCCEEDED);
		for (ServiceProcess worker : this.workers) {
			assertThat(itemsInferred(worker)).as("items inferred by %s", worker.url("")).isPositive();
		}
	}

	@Test
	void aCancelledJobIsSkippedByTheWorkersPromptlyAndKeepsWhatWasDone() throws Exception {
		String apiKey = tenantKey();
		int items = 300_000;
		String body = "{\"model\":\"iris\",\"instances\":["
				+ IrisModel.repeated(ROOT, items).stream().map(IrisModel::json).collect(Collectors.joining(",")) + "]}";
		String id = call("POST", "/v1/jobs", apiKey, body).get("id").asString();
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> call("GET", "/v1/jobs/" + id, apiKey, null).get("counts").get("succeeded").asLong() > 0);

		long start = System.nanoTime();
		assertThat(call("POST", "/v1/jobs/" + id + "/cancel", apiKey, "").get("state").asString())
			.isEqualTo("CANCELLING");
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> call("GET", "/v1/jobs/" + id, apiKey, null).get("state").asString().equals("CANCELLED"));
		double seconds = (System.nanoTime() - start) / 1e9;
		JsonNode job = call("GET", "/v1/jobs/" + id, apiKey, null);
		long done = job.get("counts").get("succeeded").asLong();
		long skipped = job.get("counts").get("skipped").asLong();
		log.info("Cancel: CANCELLED {} s after the request, {} items done, {} skipped", String.format("%.2f", seconds),
				done, skipped);
		assertThat(skipped).isPositive();
		assertThat(done + skipped).isEqualTo(items);
		assertThat(job.get("counts").get("pending").asLong()).isZero();
		List<JsonNode> results = ndjson("/v1/jobs/" + id + "/results", apiKey);
		assertThat(results).hasSize((int) done);
		assertThat(results.stream().map((item) -> item.get("index").asLong()).distinct().count()).isEqualTo(done);
		assertThat(jobEvents(UUID.fromString(id), JobEvent.CANCELLED)).contains(JobEvent.CANCELLED);
	}

	@Test
	void thePackagedServicesRunKafkasLz4InItsNativeLibrary() throws Exception {
		// from a Spring Boot jar lz4-java falls back to pure Java unless its native
		// library is loaded before Kafka's codec (KafkaLz4): chunks are lz4 on Kafka
		for (ServiceProcess service : this.services) {
			HttpResponse<byte[]> response = this.http.send(
					HttpRequest.newBuilder(URI.create(service.managementUrl("/actuator/info"))).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(EventCodec.tree(response.body()).at("/kafka/lz4").asString()).as(service.name())
				.isEqualTo("JNI");
			if (service.name().contains("worker")) {
				// where its models and their inputs are: the configured device
				assertThat(EventCodec.tree(response.body()).at("/worker/device").asString()).isEqualTo("cpu");
			}
		}
	}

	/**
	 * The alert rules and the dashboard in {@code deploy/} read only metrics that the
	 * services export: after a job and a synchronous prediction, every metric name their
	 * expressions use is in some service's scrape.
	 */
	@Test
	void everyMetricTheAlertRulesAndTheDashboardReadIsExported() throws Exception {
		String apiKey = tenantKey();
		String id = call("POST", "/v1/jobs", apiKey,
				"{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2],[6.2,2.9,4.3,1.3]]}")
			.get("id")
			.asString();
		await().atMost(Duration.ofMinutes(2))
			.until(() -> call("GET", "/v1/jobs/" + id, apiKey, null).get("state").asString().equals("SUCCEEDED"));
		HttpRequest predict = HttpRequest.newBuilder(URI.create(this.api.url("/v1/models/iris:predict")))
			.header("Authorization", "Bearer " + apiKey)
			.POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[[5.1,3.5,1.4,0.2]]}"))
			.build();
		await().atMost(Duration.ofMinutes(1))
			.until(() -> this.http.send(predict, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

		Set<String> used = new TreeSet<>();
		MonitoringFiles.allExpressions().forEach((expression) -> used.addAll(MonitoringFiles.metricNames(expression)));
		assertThat(used).as("metrics of the rules and the dashboard").hasSizeGreaterThan(15);
		Set<String> exported = new TreeSet<>();
		for (ServiceProcess service : this.services) {
			String scrape = this.http
				.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/actuator/prometheus"))).build(),
						HttpResponse.BodyHandlers.ofString())
				.body();
			scrape.lines()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.map((line) -> line.split("[{ ]", 2)[0])
				.forEach(exported::add);
		}
		assertThat(exported).as("metrics the services export").containsAll(used);
	}

	private String tenantKey() throws IOException {
		if (this.tenantKey == null) {
			this.tenantKey = call("POST", "/v1/admin/tenants", ADMIN_TOKEN, "{\"name\":\"e2e\"}").get("api_key")
				.asString();
			await().atMost(Duration.ofSeconds(60))
				.until(() -> call("GET", "/v1/models", this.tenantKey, null).toString().contains("iris"));
		}
		return this.tenantKey;
	}

	/**
	 * A packaged service as its own JVM, logging to {@code system-tests/target/services},
	 * with the tests' key that seals webhook secrets unless {@code env} names one.
	 */
	static ServiceProcess start(String module, String name, Map<String, String> env) {
		Path jar = ROOT.resolve(module)
			.resolve("target")
			.resolve(module + "-" + System.getProperty("batchline.project.version") + ".jar");
		Map<String, String> withKey = new HashMap<>(env);
		withKey.putIfAbsent("BATCHLINE_SECRETS_KEY", Fixtures.SECRETS_KEY);
		return ServiceProcess.start(jar, name, 0, withKey, ROOT.resolve("system-tests/target/services"));
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

	private JsonNode call(String method, String path, String token, String json) throws IOException {
		return JsonCalls.call(this.http, this.api.url(path), method, token, json);
	}

	private List<JsonNode> ndjson(String path, String token) throws IOException, InterruptedException {
		HttpResponse<java.util.stream.Stream<String>> response = this.http
			.send(HttpRequest.newBuilder(URI.create(this.api.url(path)))
				.header("Authorization", "Bearer " + token)
				.header("Accept", "application/x-ndjson")
				.build(), HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body().map((line) -> EventCodec.tree(line.getBytes())).toList();
	}

	private double itemsInferred(ServiceProcess worker) throws IOException, InterruptedException {
		String metrics = this.http
			.send(HttpRequest.newBuilder(URI.create(worker.managementUrl("/actuator/prometheus"))).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		return metrics.lines()
			.filter((line) -> line.startsWith(WORKER_ITEMS_METRIC) && line.contains("outcome=\"success\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static final String WORKER_ITEMS_METRIC = "batchline_worker_items_total";

	private List<String> jobEvents(UUID jobId, String last) {
		List<String> types = new ArrayList<>();
		try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
				TestKafka.bootstrapServers(), "group.id", "e2e-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
				"key.deserializer", StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class))) {
			consumer.subscribe(List.of(TOPICS.jobEvents()));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(300))) {
					JobEvent event = CloudEventRecords.data(record.value(), JobEvent.class);
					if (event.jobId().equals(jobId)) {
						types.add(event.type());
						// no OTLP endpoint is configured here: tracing is off, and no
						// record carries a trace context
						assertThat(TraceContext.of(record.value())).as("the trace context of %s", event.type())
							.isNull();
					}
				}
				return types.contains(last);
			});
		}
		return types;
	}

}
