package dev.batchline.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

/** A plain HTTP client for the API under test, as any user would call it. */
final class ApiClient {

	private final HttpClient http;

	private final String base;

	private final String token;

	ApiClient(String base, String token) {
		this(HttpClient.newHttpClient(), base, token);
	}

	private ApiClient(HttpClient http, String base, String token) {
		this.http = http;
		this.base = base;
		this.token = token;
	}

	/**
	 * This client calling from another local address (all of 127/8 is this host), so
	 * per-address limits see another client.
	 */
	ApiClient from(String localAddress) {
		try {
			return new ApiClient(HttpClient.newBuilder().localAddress(InetAddress.getByName(localAddress)).build(),
					this.base, this.token);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	/**
	 * A client of a new tenant of the API on {@code port} (created with the admin token
	 * {@code test-admin-token}), once the API lists the Iris model.
	 */
	static ApiClient newTenant(int port) {
		ApiClient admin = new ApiClient("http://localhost:" + port, "test-admin-token");
		Response tenant = admin.post("/v1/admin/tenants", "{\"name\":\"acme\"}");
		org.assertj.core.api.Assertions.assertThat(tenant.status()).as(tenant.body()).isEqualTo(201);
		ApiClient api = admin.withToken(tenant.json().get("api_key").asString());
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(30))
			.until(() -> api.get("/v1/models").json().get("data").toString().contains("iris"));
		return api;
	}

	/**
	 * The absolute URL of a path on the API this client calls, as links in answers give
	 * it.
	 */
	String url(String path) {
		return this.base + path;
	}

	/** The bearer token this client sends. */
	String token() {
		return this.token;
	}

	ApiClient withToken(String other) {
		return new ApiClient(this.http, this.base, other);
	}

	record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {

		JsonNode json() {
			return EventCodec.tree(this.body.getBytes());
		}

	}

	Response get(String path) {
		return get(path, "application/json");
	}

	Response get(String path, String accept) {
		return send(request(path).header("Accept", accept).GET().build());
	}

	Response post(String path, String json) {
		return post(path, "application/json", json);
	}

	/** A JSON POST with one extra header (e.g. {@code Idempotency-Key}). */
	Response post(String path, String json, String header, String value) {
		return send(request(path).header("Content-Type", "application/json")
			.header(header, value)
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	Response post(String path, String contentType, String body) {
		return send(request(path).header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	/**
	 * A file upload of the OpenAI-compatible API as the OpenAI SDKs send it: a multipart
	 * body of {@code purpose}, then {@code file}.
	 */
	Response uploadFile(String purpose, String filename, String content) {
		String boundary = "----batchline-test-boundary";
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
				+ "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
				+ "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
		return post("/v1/files", "multipart/form-data; boundary=" + boundary, body);
	}

	Response patch(String path, String json) {
		return send(request(path).header("Content-Type", "application/json")
			.method("PATCH", HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	Response delete(String path) {
		return send(request(path).DELETE().build());
	}

	/**
	 * Any request: a method, a content type and body (both may be null), more headers.
	 */
	Response exchange(String method, String path, String contentType, String body,
			java.util.Map<String, String> headers) {
		HttpRequest.Builder builder = request(path);
		if (contentType != null) {
			builder.header("Content-Type", contentType);
		}
		headers.forEach(builder::header);
		return send(
				builder
					.method(method,
							(body != null) ? HttpRequest.BodyPublishers.ofString(body)
									: HttpRequest.BodyPublishers.noBody())
					.build());
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(this.base + path));
		if (this.token != null) {
			builder.header("Authorization", "Bearer " + this.token);
		}
		return builder;
	}

	private Response send(HttpRequest request) {
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body(), response.headers());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Asserts an RFC 9457 problem: status, {@code application/problem+json}, the stable
	 * type of its kind, no stack trace, and (when given) a part of its detail.
	 */
	static void assertProblem(Response response, int status, String kind, String detailPart) {
		org.assertj.core.api.Assertions.assertThat(response.status()).as(response.body()).isEqualTo(status);
		org.assertj.core.api.Assertions.assertThat(response.contentType()).isEqualTo("application/problem+json");
		JsonNode problem = response.json();
		org.assertj.core.api.Assertions.assertThat(problem.get("type").asString())
			.isEqualTo("https://batchline.dev/problems/" + kind);
		org.assertj.core.api.Assertions.assertThat(problem.get("status").asInt()).isEqualTo(status);
		org.assertj.core.api.Assertions.assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
		if (detailPart != null) {
			org.assertj.core.api.Assertions.assertThat(problem.get("detail").asString()).contains(detailPart);
		}
	}

}
