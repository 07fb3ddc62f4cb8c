package dev.batchline.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.TraceContext;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.OtlpReceiver;
import dev.batchline.testsupport.OtlpReceiver.ReceivedSpan;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job's trace across the packaged services as separate processes (api-service, a
 * worker, the webhook dispatcher) with tracing turned on by its one setting, the OTLP
 * endpoint, pointed at a real OTLP/HTTP receiver in this test: the HTTP span of
 * {@code POST /v1/jobs}, the worker's {@code predict} span and the webhook request's
 * {@code traceparent} header share one trace id; and the services' structured (ECS JSON)
 * logs name the trace and the job on a line about the job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingIntegrationTests {

	private static final String ADMIN_TOKEN = "tracing-test-admin-token";

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", ".."));

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ServiceProcess> services = new ArrayList<>();

	private final List<Map<String, String>> webhooks = new CopyOnWriteArrayList<>();

	private OtlpReceiver otlp;

	private HttpServer webhookReceiver;

	private ServiceProcess api;

	@BeforeAll
	void startTracedPipeline() throws IOException {
		this.otlp = OtlpReceiver.start();
		this.webhookReceiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.webhookReceiver.createContext("/hooks", (exchange) -> {
			try (exchange) {
				Map<String, String> headers = new HashMap<>();
				exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
				headers.put("body", new String(exchange.getRequestBody().readAllBytes()));
				this.webhooks.add(headers);
				exchange.sendResponseHeaders(204, -1);
			}
		});
		this.webhookReceiver.start();
		TestPostgres.Database database = TestPostgres.newDatabase();
		Map<String, String> common = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
				"BATCHLINE_TOPICS_PREFIX", "traced", "BATCHLINE_TOPICS_PARTITIONS", "2",
				"MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", this.otlp.tracesEndpoint(),
				"MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms", "LOGGING_STRUCTURED_FORMAT_CONSOLE",
				"ecs", "BATCHLINE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true");
		Map<String, String> withDatabase = new HashMap<>(common);
		withDatabase.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME",
				database.username(), "SPRING_DATASOURCE_PASSWORD", database.password()));
		Map<String, String> apiEnv = new HashMap<>(withDatabase);
		apiEnv.put("BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN);
		this.api = track(PipelineEndToEndIntegrationTests.start("api-service", "traced-api-service", apiEnv));
		ServiceProcess worker = track(
				PipelineEndToEndIntegrationTests.start("worker-service", "traced-worker", common));
		this.api.awaitReady();
		ServiceProcess dispatcher = track(
				PipelineEndToEndIntegrationTests.start("webhook-dispatcher", "traced-dispatcher", withDatabase));
		worker.awaitReady();
		dispatcher.awaitReady();
	}

	@AfterAll
	void stopTracedPipeline() {
		this.services.forEach(ServiceProcess::close);
		if (this.webhookReceiver != null) {
			this.webhookReceiver.stop(0);
		}
		if (this.otlp != null) {
			this.otlp.close();
		}
	}

	@Test
	void theHttpSpanTheWorkersPredictSpanAndTheWebhookRequestShareOneTraceId() throws Exception {
		String apiKey = call("POST", "/v1/admin/tenants", ADMIN_TOKEN, "{\"name\":\"traced\"}").get("api_key")
			.asString();
		await().atMost(Duration.ofSeconds(90))
			.until(() -> call("GET", "/v1/models", apiKey, null).toString().contains("iris"));
		String callback = "http://127.0.0.1:" + this.webhookReceiver.getAddress().getPort() + "/hooks";
		String instances = IrisModel.repeated(ROOT, 3).stream().map(IrisModel::json).collect(Collectors.joining(","));
		String id = call("POST", "/v1/jobs", apiKey,
				"{\"model\":\"iris\",\"instances\":[" + instances + "],\"callback\":{\"url\":\"" + callback + "\"}}")
			.get("id")
			.asString();

		await().atMost(Duration.ofMinutes(2)).until(() -> webhookOf(id) != null);
		Map<String, String> webhook = webhookOf(id);
		TraceContext sent = TraceContext.of(webhook.get("traceparent"), webhook.get("tracestate"));
		assertThat(sent).as("the webhook request's traceparent header").isNotNull();
		String traceId = sent.traceId();
		assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			List<ReceivedSpan> trace = this.otlp.spans()
				.stream()
				.filter((span) -> span.traceId().equals(traceId))
				.toList();
			assertThat(trace).as("the spans of trace %s", traceId).anySatisfy((span) -> {
				assertThat(span.service()).isEqualTo("api-service");
				assertThat(span.kind()).isEqualTo("SPAN_KIND_SERVER");
				assertThat(span.name()).isEqualTo("http post /v1/jobs");
			}).anySatisfy((span) -> {
				assertThat(span.service()).isEqualTo("worker-service");
				assertThat(span.name()).isEqualTo("predict");
				assertThat(span.attributes()).containsEntry("batchline.job.id", id);
			}).anySatisfy((span) -> {
				assertThat(span.service()).isEqualTo("api-service");
				assertThat(span.name()).isEqualTo("record result");
			}).anySatisfy((span) -> {
				// the request's traceparent names the dispatcher's client span
				assertThat(span.service()).isEqualTo("webhook-dispatcher");
				assertThat(span.name()).isEqualTo("webhook POST");
				assertThat(sent.traceparent()).contains(span.spanId());
			});
		});

		// a structured log line about the job names its trace and the job
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(jsonLines(this.api.log())).anySatisfy((line) -> {
				assertThat(line.path("message").asString()).contains("Job(id=" + id + ") queued");
				assertThat(line.path("jobId").asString()).isEqualTo(id);
				assertThat(line.path("traceId").asString()).isEqualTo(traceId);
			}));
	}

	private Map<String, String> webhookOf(String jobId) {
		return this.webhooks.stream()
			.filter((hook) -> hook.get("body").contains(jobId) && hook.get("body").contains("job.succeeded"))
			.findFirst()
			.orElse(null);
	}

	private static List<JsonNode> jsonLines(Path log) throws IOException {
		return Files.readAllLines(log)
			.stream()
			.filter((line) -> line.startsWith("{"))
			.map((line) -> EventCodec.tree(line.getBytes()))
			.toList();
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

	private JsonNode call(String method, String path, String token, String json) throws IOException {
		return JsonCalls.call(this.http, this.api.url(path), method, token, json);
	}

}
