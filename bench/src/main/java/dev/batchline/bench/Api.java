package dev.batchline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.ServiceProcess;
import tools.jackson.databind.JsonNode;

/** The api-service as a client sees it, plus the Actuator metrics of any service. */
final class Api {

	static final List<String> ACTIVE = List.of("QUEUED", "RUNNING", "CANCELLING");

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final ServiceProcess api;

	private final String key;

	Api(ServiceProcess api, String key) {
		this.api = api;
		this.key = key;
	}

	HttpClient http() {
		return this.http;
	}

	String url(String path) {
		return this.api.url(path);
	}

	String key() {
		return this.key;
	}

	/** The same api-service as another tenant sees it. */
	Api as(String otherKey) {
		return new Api(this.api, otherKey);
	}

	/** Submits a job (JSON body); returns its id. */
	UUID submit(String model, List<String> instances) throws IOException, InterruptedException {
		return submit(jobBody(model, instances));
	}

	/** The JSON body of a job of these instances (each a JSON value). */
	static byte[] jobBody(String model, List<String> instances) {
		StringBuilder body = new StringBuilder(instances.size() * (instances.get(0).length() + 1) + 64);
		body.append("{\"model\":\"").append(model).append("\",\"instances\":[");
		for (int i = 0; i < instances.size(); i++) {
			body.append((i > 0) ? "," : "").append(instances.get(i));
		}
		body.append("]}");
		return body.toString().getBytes(StandardCharsets.UTF_8);
	}

	UUID submit(byte[] json) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = this.http.send(HttpRequest.newBuilder(URI.create(url("/v1/jobs")))
			.header("Authorization", "Bearer " + this.key)
			.header("Content-Type", "application/json")
			.timeout(Duration.ofMinutes(5))
			.POST(HttpRequest.BodyPublishers.ofByteArray(json))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != 202) {
			throw new IllegalStateException("POST /v1/jobs answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
		return UUID.fromString(EventCodec.tree(response.body()).get("id").asString());
	}

	JsonNode job(UUID id) throws IOException, InterruptedException {
		return get("/v1/jobs/" + id);
	}

	JsonNode get(String path) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = this.http.send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Authorization", "Bearer " + this.key)
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
		}
		return EventCodec.tree(response.body());
	}

	/** POSTs a JSON body and expects {@code expected}; returns the answer's body. */
	JsonNode post(String path, Object body, int expected) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = this.http.send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Authorization", "Bearer " + this.key)
			.header("Content-Type", "application/json")
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.ofByteArray(EventCodec.mapper().writeValueAsBytes(body)))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != expected) {
			throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
		return EventCodec.tree(response.body());
	}

	static boolean terminal(JsonNode job) {
		return !ACTIVE.contains(job.get("state").asString());
	}

	static Instant instant(JsonNode job, String field) {
		JsonNode value = job.get(field);
		return (value != null && !value.isNull()) ? Instant.parse(value.asString()) : null;
	}

	/** Waits (polling every {@code every}) until every job is terminal; returns them. */
	List<JsonNode> awaitTerminal(List<UUID> ids, Duration every, Duration timeout)
			throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			List<JsonNode> jobs = new java.util.ArrayList<>();
			for (UUID id : ids) {
				jobs.add(job(id));
			}
			if (jobs.stream().allMatch(Api::terminal)) {
				return jobs;
			}
			Thread.sleep(every.toMillis());
		}
		throw new IllegalStateException("Jobs " + ids + " did not finish within " + timeout);
	}

	/**
	 * One Actuator metric's first measurement (e.g. VALUE, TOTAL_TIME) of a service, or
	 * NaN when the metric does not exist (yet).
	 */
	double metric(ServiceProcess service, String name, String statistic, String... tags) {
		StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
		for (int i = 0; i < tags.length; i++) {
			path.append((i == 0) ? "?" : "&").append("tag=").append(tags[i]);
		}
		try {
			HttpResponse<byte[]> response = this.http
				.send(HttpRequest.newBuilder(URI.create(service.managementUrl(path.toString())))
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() != 200) {
				return Double.NaN;
			}
			for (JsonNode measurement : EventCodec.tree(response.body()).get("measurements")) {
				if (measurement.get("statistic").asString().equals(statistic)) {
					return measurement.get("value").asDouble();
				}
			}
			return Double.NaN;
		}
		catch (IOException ex) {
			return Double.NaN;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Double.NaN;
		}
	}

	/**
	 * Cancels a job, and waits until it is cancelled and the outbox is empty, so that the
	 * job takes no more CPU from what is measured next.
	 */
	void cancelAndSettle(UUID job) throws IOException, InterruptedException {
		post("/v1/jobs/" + job + "/cancel", Map.of(), 202);
		awaitTerminal(List.of(job), Duration.ofMillis(200), Duration.ofMinutes(5));
		awaitOutboxEmpty(Duration.ofMinutes(5));
	}

	/**
	 * Waits until the workers serve these models: the api-service accepts jobs only for a
	 * model a running worker serves.
	 */
	void awaitModels(String... names) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (System.nanoTime() < deadline) {
			String served = get("/v1/models").toString();
			if (Stream.of(names).allMatch((name) -> served.contains("\"" + name + "\""))) {
				return;
			}
			Thread.sleep(300);
		}
		throw new IllegalStateException("The workers did not announce the models " + List.of(names));
	}

	/** Waits until the outbox relay has published every row. */
	void awaitOutboxEmpty(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (metric(this.api, "batchline.outbox.pending", "VALUE") == 0) {
				return;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("The outbox was not relayed within " + timeout);
	}

	ServiceProcess service() {
		return this.api;
	}

}
