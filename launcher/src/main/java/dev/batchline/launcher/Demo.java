package dev.batchline.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerificationException;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import tools.jackson.databind.JsonNode;

/**
 * The demo: a local webhook receiver that verifies signatures with the project's
 * verifier, a job of Iris measurements with that receiver as its callback, a live
 * progress bar, the verified callback, and the model's accuracy against the known
 * species.
 */
final class Demo {

	private static final int REPEAT = 20;

	private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

	private final LocalPipeline pipeline;

	private final Path root;

	private final long startedAt;

	private final HttpClient http = HttpClient.newHttpClient();

	Demo(LocalPipeline pipeline, Path root, long startedAt) {
		this.pipeline = pipeline;
		this.root = root;
		this.startedAt = startedAt;
	}

	int run() throws Exception {
		String key = this.pipeline.apiKey();
		awaitModel(key);
		WebhookSecret secret = WebhookSecret
			.parse(call("GET", "/v1/callback-secret", key, null).get("secret").asString());
		CompletableFuture<String> verified = new CompletableFuture<>();
		HttpServer receiver = receiver(new WebhookVerifier(secret), verified);
		try {
			List<String[]> iris = iris();
			List<String> instances = new ArrayList<>();
			for (int r = 0; r < REPEAT; r++) {
				iris.forEach((row) -> instances.add("[" + row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "]"));
			}
			String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks";
			String body = "{\"model\":\"iris\",\"instances\":[" + String.join(",", instances)
					+ "],\"metadata\":{\"source\":\"batchline demo\"},\"callback\":{\"url\":\"" + callback + "\"}}";
			Console.step("Submitting " + instances.size() + " Iris measurements (the 150 rows of the data set, "
					+ REPEAT + " times) with callback " + callback);
			JsonNode job = call("POST", "/v1/jobs", key, body);
			String id = job.get("id").asString();
			JsonNode done = progress(id, key);
			Console.line("");
			Console.step(String.format("Job %s %s: %d succeeded, %d failed (first result %.1f s after the command)", id,
					done.get("state").asString(), done.get("counts").get("succeeded").asLong(),
					done.get("counts").get("failed").asLong(), this.firstResultSeconds));
			// the dispatcher starts last; the job did not need it
			this.pipeline.awaitDispatcher();
			String webhook = verified.get(60, TimeUnit.SECONDS);
			Console.step("Webhook received and verified with dev.batchline.contracts.webhooks.WebhookVerifier:");
			Console.line(webhook);
			double accuracy = accuracy(id, key, iris);
			Console.step(String.format("Accuracy of the model on the known species: %.1f %% (%d items)", accuracy * 100,
					instances.size()));
			Console.line("");
			Console.line("Where to look next:");
			Console.line("  status   curl -s " + this.pipeline.api().url("/v1/jobs/" + id)
					+ " -H 'Authorization: Bearer " + key + "'");
			Console.line("  results  curl -s " + this.pipeline.api().url("/v1/jobs/" + id + "/results")
					+ " -H 'Authorization: Bearer " + key + "' -H 'Accept: application/x-ndjson'");
			Console.line("  logs     " + this.pipeline.logs());
			Console.line("  docs     docs/api.md, docs/webhooks.md, docs/events.md");
			Console.line("  run it   ./batchline up   (keeps running; Ctrl-C stops it)");
			boolean ok = "SUCCEEDED".equals(done.get("state").asString()) && accuracy >= 0.9;
			Console.step(ok ? "Demo succeeded" : "Demo FAILED");
			return ok ? 0 : 1;
		}
		finally {
			receiver.stop(0);
		}
	}

	private double firstResultSeconds = Double.NaN;

	private JsonNode progress(String id, String key) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode job = call("GET", "/v1/jobs/" + id, key, null);
			long total = job.get("counts").get("total").asLong();
			long done = total - job.get("counts").get("pending").asLong();
			if (done > 0 && Double.isNaN(this.firstResultSeconds)) {
				this.firstResultSeconds = (System.nanoTime() - this.startedAt) / 1e9;
			}
			int width = 40;
			int filled = (int) (width * done / Math.max(total, 1));
			Console.overwrite(String.format("    [%s%s] %6d/%d  %s", "#".repeat(filled), ".".repeat(width - filled),
					done, total, job.get("state").asString()));
			String state = job.get("state").asString();
			if (!List.of("QUEUED", "RUNNING", "CANCELLING").contains(state)) {
				return job;
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException("The demo job did not finish in " + JOB_TIMEOUT);
	}

	private HttpServer receiver(WebhookVerifier verifier, CompletableFuture<String> verified) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
		server.createContext("/webhooks", (exchange) -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			var headers = exchange.getRequestHeaders();
			int status;
			try {
				verifier.verify(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
						headers.getFirst("webhook-signature"), body);
				status = 204;
				verified.complete("    webhook-id: " + headers.getFirst("webhook-id") + "\n    webhook-timestamp: "
						+ headers.getFirst("webhook-timestamp") + "\n    webhook-signature: "
						+ headers.getFirst("webhook-signature") + "\n    signature: VERIFIED\n    "
						+ new String(body, StandardCharsets.UTF_8));
			}
			catch (WebhookVerificationException ex) {
				status = 400;
				verified.completeExceptionally(ex);
			}
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		server.start();
		return server;
	}

	private double accuracy(String id, String key, List<String[]> iris) throws IOException, InterruptedException {
		HttpResponse<java.util.stream.Stream<String>> response = this.http
			.send(HttpRequest.newBuilder(URI.create(this.pipeline.api().url("/v1/jobs/" + id + "/results")))
				.header("Authorization", "Bearer " + key)
				.header("Accept", "application/x-ndjson")
				.build(), HttpResponse.BodyHandlers.ofLines());
		List<String> species = List.of("setosa", "versicolor", "virginica");
		List<JsonNode> results = response.body().map((line) -> EventCodec.tree(line.getBytes())).toList();
		long right = results.stream()
			.filter((item) -> item.has("output"))
			.filter((item) -> item.get("output").get("class_id").asInt() == species
				.indexOf(iris.get((int) (item.get("index").asLong() % iris.size()))[4]))
			.count();
		return (double) right / results.size();
	}

	private void awaitModel(String key) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			if (call("GET", "/v1/models", key, null).toString().contains("\"iris\"")) {
				return;
			}
			Thread.sleep(300);
		}
		throw new IllegalStateException("No worker announced the iris model");
	}

	private List<String[]> iris() throws IOException {
		return Files.readAllLines(this.root.resolve("engine/src/main/resources/iris.csv"))
			.stream()
			.skip(1)
			.filter((line) -> !line.isBlank())
			.map((line) -> line.split(","))
			.collect(Collectors.toList());
	}

	private JsonNode call(String method, String path, String key, String json)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.pipeline.api().url(path)))
			.header("Authorization", "Bearer " + key)
			.header("Content-Type", "application/json")
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		HttpResponse<byte[]> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() >= 300) {
			throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
		return EventCodec.tree(response.body());
	}

}
