package dev.batchline.system;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The compose stack for real: the images built from the project's Dockerfiles (on a
 * Debian base made from Debian's packages, {@code compose.debian.yml}), the stack up
 * under podman, a job through to a verified webhook, three workers sharing a job, workers
 * that drain on {@code stop}, then down with the volumes. Skipped, with the reason
 * printed, only where podman is not installed; anything else that does not work fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(ComposeStackIntegrationTests.class);

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	private static final String PROJECT = "batchline-compose-it";

	private static final String WORKER = "worker-service";

	/**
	 * The compose file's stop_grace_period of the workers, which podman-compose 1.0 does
	 * not read.
	 */
	private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

	/** A worker's Prometheus series of the items it inferred. */
	private static final String ITEMS_SUCCEEDED = "batchline_worker_items_total{application=\"worker-service\",model=\"iris\",outcome=\"success\"";

	/** The chunks consumer's partitions (the worker's only consumer in a group). */
	private static final String ASSIGNED_PARTITIONS = "kafka_consumer_coordinator_assigned_partitions{";

	private final String adminToken = "compose-admin-" + UUID.randomUUID();

	private final int apiPort = ServiceProcess.freePort();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final Map<String, Long> timings = new LinkedHashMap<>();

	private ComposeStack stack;

	private String tenantKey;

	private HttpServer receiver;

	private final BlockingQueue<String> verifiedWebhooks = new LinkedBlockingQueue<>();

	@BeforeAll
	void upTheStack() throws Exception {
		if (!ComposeStack.onPath("podman")) {
			String reason = "ComposeStackIntegrationTests skipped: podman is not installed (the build installs it with "
					+ "scripts/ensure-packages.sh where it may: root or passwordless sudo, apt-get)";
			log.warn(reason);
			Assumptions.abort(reason);
		}
		assertThat(ComposeStack.onPath("podman-compose")).as("podman-compose installed beside podman").isTrue();
		Map<String, String> environment = new HashMap<>();
		environment.put("BATCHLINE_SECRETS_KEY", Fixtures.SECRETS_KEY);
		environment.put("BATCHLINE_API_ADMIN_TOKEN", this.adminToken);
		environment.put("BATCHLINE_PUBLISH_ADDRESS", "127.0.0.1");
		environment.put("BATCHLINE_API_PORT", Integer.toString(this.apiPort));
		environment.put("BATCHLINE_GRPC_PORT", Integer.toString(ServiceProcess.freePort()));
		environment.put("BATCHLINE_MANAGEMENT_PORT", Integer.toString(ServiceProcess.freePort()));
		environment.put("BATCHLINE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true");
		environment.put("BATCHLINE_WORKERS", "1");
		this.stack = new ComposeStack(ROOT, PROJECT, environment);
		removeLeftovers();

		String repository = System.getProperty("maven.repo.local",
				Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
		timed("images built (scripts/compose-images.sh)", () -> this.stack.run(Duration.ofMinutes(25), "bash",
				ROOT.resolve("scripts/compose-images.sh").toString(), repository));
		timed("postgres and kafka healthy", () -> {
			this.stack.compose(Duration.ofMinutes(2), "up", "-d", "--no-build", "postgres", "kafka");
			this.stack.awaitHealthy(this.stack.container("postgres", 1), READY_TIMEOUT);
			this.stack.awaitHealthy(this.stack.container("kafka", 1), READY_TIMEOUT);
			return null;
		});
		timed("api-service healthy", () -> {
			// the worker needs only Kafka: it starts beside the api-service
			this.stack.compose(Duration.ofMinutes(2), "up", "-d", "--no-build", "api-service", WORKER);
			this.stack.awaitHealthy(this.stack.container("api-service", 1), READY_TIMEOUT);
			return null;
		});
		timed("webhook dispatcher and a worker healthy", () -> {
			// the dispatcher after the api-service, which migrates the database
			this.stack.compose(Duration.ofMinutes(2), "up", "-d", "--no-build");
			this.stack.awaitHealthy(this.stack.container(WORKER, 1), READY_TIMEOUT);
			this.stack.awaitHealthy(this.stack.container("webhook-dispatcher", 1), READY_TIMEOUT);
			return null;
		});
		this.tenantKey = call("POST", "/v1/admin/tenants", this.adminToken, "{\"name\":\"compose\"}").get("api_key")
			.asString();
		await().atMost(Duration.ofSeconds(90))
			.until(() -> call("GET", "/v1/models", this.tenantKey, null).toString().contains("iris"));
		startReceiver();
	}

	@AfterAll
	void downTheStack() {
		if (this.stack == null) {
			return;
		}
		if (this.receiver != null) {
			this.receiver.stop(0);
		}
		this.stack.saveLogs();
		timed("down, volumes removed", () -> {
			// every replica the tests started, so that down finds them all
			this.stack.compose(Duration.ofMinutes(3), Map.of("BATCHLINE_WORKERS", "3"), "down", "-v", "-t", "30");
			removeLeftovers();
			return null;
		});
		log.info("Compose stack timings: {}",
				this.timings.entrySet()
					.stream()
					.map((entry) -> entry.getKey() + " " + entry.getValue() / 1000.0 + " s")
					.collect(Collectors.joining(", ")));
	}

	@Test
	@Order(1)
	void aJobThroughTheStackEndsWithAWebhookWhoseSignatureVerifies() throws Exception {
		String id = timed("a job of 150 items to SUCCEEDED", () -> {
			String submitted = submit(150, callbackUrl());
			awaitState(submitted, "SUCCEEDED", Duration.ofMinutes(2));
			return submitted;
		});
		JsonNode job = call("GET", "/v1/jobs/" + id, this.tenantKey, null);
		assertThat(job.get("counts").get("succeeded").asLong()).isEqualTo(150);
		String webhook = this.verifiedWebhooks.poll(2, TimeUnit.MINUTES);
		assertThat(webhook).as("a webhook whose Standard Webhooks signature verified").isNotNull();
		JsonNode event = EventCodec.tree(webhook.getBytes());
		assertThat(event.get("type").asString()).isEqualTo("job.succeeded");
		assertThat(event.get("data").get("job_id").asString()).isEqualTo(id);
	}

	@Test
	@Order(2)
	void scaledToThreeWorkersAJobIsDrainedByAllThree() throws Exception {
		timed("scaled to 3 workers, each with partitions", () -> {
			// podman-compose 1.0 ignores --scale: the replicas come from deploy.replicas
			this.stack.set("BATCHLINE_WORKERS", "3");
			this.stack.compose(Duration.ofMinutes(2), "up", "-d", "--no-build", WORKER);
			for (int n = 1; n <= 3; n++) {
				this.stack.awaitHealthy(this.stack.container(WORKER, n), READY_TIMEOUT);
			}
			// the group has rebalanced: every worker holds some of the 12 partitions
			await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
				List<Double> partitions = workers().stream().map((c) -> metric(c, ASSIGNED_PARTITIONS)).toList();
				return partitions.stream().allMatch((count) -> count > 0)
						&& partitions.stream().mapToDouble(Double::doubleValue).sum() == 12;
			});
			return null;
		});
		Map<String, Double> before = new LinkedHashMap<>();
		workers().forEach((container) -> before.put(container, metric(container, ITEMS_SUCCEEDED)));
		int items = 30_000;
		String id = timed("a job of " + items + " items over three workers", () -> {
			String submitted = submit(items, null);
			awaitState(submitted, "SUCCEEDED", Duration.ofMinutes(3));
			return submitted;
		});
		assertThat(call("GET", "/v1/jobs/" + id, this.tenantKey, null).get("counts").get("succeeded").asLong())
			.isEqualTo(items);
		Map<String, Double> shares = new LinkedHashMap<>();
		before.forEach((container, count) -> shares.put(container, metric(container, ITEMS_SUCCEEDED) - count));
		log.info("Compose stack: the items each worker inferred: {}", shares);
		assertThat(shares.values()).as("items inferred per worker container").allMatch((count) -> count > 0);
		assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(items);
	}

	@Test
	@Order(3)
	void workersStoppedInTheMiddleOfAJobDrainAndItsItemsAreAllDoneOnceOneStartsAgain() throws Exception {
		int items = 300_000;
		String id = submit(items, null);
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> succeeded(id) > 0);
		long doneBeforeStop = succeeded(id);
		assertThat(doneBeforeStop).as("items done as the stop begins: the job is running").isLessThan(items);
		timed("compose stop of 3 workers in the middle of a job",
				() -> this.stack.compose(WORKER_STOP_TIMEOUT.multipliedBy(3).plusMinutes(1), "stop", "-t",
						Long.toString(WORKER_STOP_TIMEOUT.toSeconds()), WORKER));
		log.info("Compose stack: {} of {} items done as the stop began, {} when the workers had stopped",
				doneBeforeStop, items, succeeded(id));
		for (String container : workers()) {
			// 143: the JVM ended on SIGTERM after its shutdown hooks; 137 would be the
			// SIGKILL
			// after the timeout
			assertThat(this.stack.exitCode(container)).as(container + " exit code").isEqualTo(143);
			// withdrew its model, finished its batch and left the group, then the JVM
			// ended
			assertThat(this.stack.logs(container)).as(container + " log")
				.contains("Withdrew model iris", "batchline-workers: Consumer stopped", "Graceful shutdown complete");
		}
		timed("a worker started again, the job finished", () -> {
			// one replica is enough to take every partition (one JVM starts sooner than
			// three)
			this.stack.podman(Duration.ofMinutes(2), "start", this.stack.container(WORKER, 1));
			awaitState(id, "SUCCEEDED", Duration.ofMinutes(5));
			return null;
		});
		JsonNode counts = call("GET", "/v1/jobs/" + id, this.tenantKey, null).get("counts");
		assertThat(counts.get("succeeded").asLong()).as("every item done once").isEqualTo(items);
		assertThat(counts.get("failed").asLong()).isZero();
	}

	private long succeeded(String id) throws IOException {
		return call("GET", "/v1/jobs/" + id, this.tenantKey, null).get("counts").get("succeeded").asLong();
	}

	private List<String> workers() {
		return List.of(this.stack.container(WORKER, 1), this.stack.container(WORKER, 2),
				this.stack.container(WORKER, 3));
	}

	/**
	 * The sum of a worker's Prometheus series that start with {@code series}, read inside
	 * its container.
	 */
	private double metric(String container, String series) {
		String metrics = this.stack.podman(Duration.ofSeconds(30), "exec", container, "curl", "-fsS",
				"http://localhost:8081/actuator/prometheus");
		return metrics.lines()
			.filter((line) -> line.startsWith(series))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private String submit(int items, String callback) throws Exception {
		List<float[]> rows = IrisModel.repeated(ROOT, items);
		String body = "{\"model\":\"iris\",\"instances\":["
				+ rows.stream().map(IrisModel::json).collect(Collectors.joining(",")) + "]"
				+ ((callback != null) ? ",\"callback\":{\"url\":\"" + callback + "\"}" : "") + "}";
		return call("POST", "/v1/jobs", this.tenantKey, body).get("id").asString();
	}

	private void awaitState(String id, String state, Duration timeout) {
		await().atMost(timeout)
			.pollInterval(Duration.ofMillis(250))
			.until(() -> call("GET", "/v1/jobs/" + id, this.tenantKey, null).get("state").asString().equals(state));
	}

	/**
	 * The test's webhook receiver, verifying with the tenant's callback secret. The
	 * dispatcher's container reaches this host at host.containers.internal: the project
	 * network's gateway, where the receiver listens.
	 */
	private void startReceiver() throws IOException {
		WebhookVerifier verifier = new WebhookVerifier(
				WebhookSecret.parse(call("GET", "/v1/callback-secret", this.tenantKey, null).get("secret").asString()));
		this.receiver = HttpServer.create(new InetSocketAddress(this.stack.gateway(), 0), 16);
		this.receiver.createContext("/webhooks", (exchange) -> {
			try (exchange) {
				byte[] body = exchange.getRequestBody().readAllBytes();
				try {
					verifier.verify(exchange.getRequestHeaders().getFirst("webhook-id"),
							exchange.getRequestHeaders().getFirst("webhook-timestamp"),
							exchange.getRequestHeaders().getFirst("webhook-signature"), body);
				}
				catch (RuntimeException ex) {
					log.warn("A webhook whose signature did not verify: {}", ex.getMessage());
					exchange.sendResponseHeaders(400, -1);
					return;
				}
				this.verifiedWebhooks.add(new String(body));
				exchange.sendResponseHeaders(204, -1);
			}
		});
		this.receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.receiver.start();
	}

	private String callbackUrl() {
		return "http://host.containers.internal:" + this.receiver.getAddress().getPort() + "/webhooks";
	}

	/** Containers, volumes and the network of an earlier run that did not finish. */
	private void removeLeftovers() {
		String names = this.stack.podman(Duration.ofSeconds(30), "ps", "-a", "--filter",
				"label=io.podman.compose.project=" + PROJECT, "--format", "{{.Names}}");
		for (String name : names.lines().filter((line) -> !line.isBlank()).toList()) {
			this.stack.podman(Duration.ofMinutes(1), "rm", "-f", "-t", "5", name);
		}
		for (String volume : List.of("pgdata", "kafkadata")) {
			this.stack.podman(Duration.ofSeconds(30), "volume", "rm", "-f", PROJECT + "_" + volume);
		}
		this.stack.podman(Duration.ofSeconds(30), "network", "rm", "-f", PROJECT + "_default");
	}

	private JsonNode call(String method, String path, String token, String json) throws IOException {
		return JsonCalls.call(this.http, "http://127.0.0.1:" + this.apiPort + path, method, token, json);
	}

	private <T> T timed(String step, ThrowingSupplier<T> work) {
		long start = System.nanoTime();
		try {
			return work.get();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(step + " failed", ex);
		}
		finally {
			long millis = (System.nanoTime() - start) / 1_000_000;
			this.timings.put(step, millis);
			log.info("Compose stack: {} in {} s", step, millis / 1000.0);
		}
	}

	@FunctionalInterface
	private interface ThrowingSupplier<T> {

		T get() throws Exception;

	}

}
