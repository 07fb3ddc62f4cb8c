package dev.batchline.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs API over the JDK's {@link HttpClient}. Every error answer becomes an
 * {@link ApiException}, every network failure a {@link CliException} with
 * {@link ExitCodes#UNAVAILABLE}.
 */
final class ApiClient {

	static final String NDJSON = "application/x-ndjson";

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	/** How long a call may wait for its answer to begin (not for a stream to end). */
	private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

	private final String base;

	private final String apiKey;

	private final HttpClient http;

	private final JsonMapper json;

	ApiClient(URI base, String apiKey, JsonMapper json) {
		String url = base.toString();
		this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
		this.apiKey = apiKey;
		this.json = json;
		// HTTP/1.1 as curl speaks it: no h2c upgrade attempts on plain http
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(CONNECT_TIMEOUT)
			.build();
	}

	JsonMapper json() {
		return this.json;
	}

	/**
	 * {@code POST /v1/jobs} with the file as the NDJSON body, sent from disk as it is
	 * read.
	 * @param query the query parameters (model, version, …); null values are left out
	 */
	JsonNode submit(Path file, Map<String, String> query, String idempotencyKey) {
		HttpRequest.Builder request = request("/v1/jobs" + query(query)).header("Content-Type", NDJSON);
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		try {
			request.POST(HttpRequest.BodyPublishers.ofFile(file));
		}
		catch (FileNotFoundException ex) {
			throw new CliException(ExitCodes.USAGE, "cannot read " + file + ": no such file");
		}
		return readJson(send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
	}

	JsonNode job(String id) {
		return get("/v1/jobs/" + segment(id));
	}

	JsonNode jobs(Integer limit, String state, String cursor) {
		Map<String, String> query = new LinkedHashMap<>();
		query.put("limit", (limit != null) ? limit.toString() : null);
		query.put("state", state);
		query.put("cursor", cursor);
		return get("/v1/jobs" + query(query));
	}

	JsonNode cancel(String id) {
		HttpRequest request = request("/v1/jobs/" + segment(id) + "/cancel").timeout(CALL_TIMEOUT)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		return readJson(send(request, HttpResponse.BodyHandlers.ofByteArray()));
	}

	/**
	 * {@code GET /v1/jobs/{id}/results} as NDJSON: the open body, to be closed by the
	 * caller.
	 */
	InputStream results(String id) {
		HttpRequest request = request("/v1/jobs/" + segment(id) + "/results").timeout(CALL_TIMEOUT)
			.header("Accept", NDJSON)
			.build();
		return open(send(request, HttpResponse.BodyHandlers.ofInputStream()));
	}

	/**
	 * {@code GET /v1/jobs/{id}/events}: the open event stream, or null when the server
	 * answers 204 (the client has seen the job's last event).
	 * @param lastEventId the id of the last event seen, or null for all
	 */
	InputStream events(String id, String lastEventId) {
		HttpRequest.Builder request = request("/v1/jobs/" + segment(id) + "/events").header("Accept",
				"text/event-stream");
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		HttpResponse<InputStream> response = send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		if (response.statusCode() == 204) {
			close(response.body());
			return null;
		}
		return open(response);
	}

	private JsonNode get(String path) {
		HttpRequest request = request(path).timeout(CALL_TIMEOUT).GET().build();
		return readJson(send(request, HttpResponse.BodyHandlers.ofByteArray()));
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.header("User-Agent", "batchline-cli");
		if (this.apiKey != null && !this.apiKey.isBlank()) {
			request.header("Authorization", "Bearer " + this.apiKey.strip());
		}
		return request;
	}

	private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
		try {
			return this.http.send(request, handler);
		}
		catch (HttpTimeoutException ex) {
			throw new CliException(ExitCodes.UNAVAILABLE, "no answer from " + this.base + " in time");
		}
		catch (ConnectException ex) {
			throw new CliException(ExitCodes.UNAVAILABLE, "cannot reach " + this.base + ": connection refused");
		}
		catch (IOException ex) {
			if (ex.getCause() instanceof NoSuchFileException missing) {
				throw new CliException(ExitCodes.USAGE, "cannot read " + missing.getFile() + ": no such file");
			}
			throw new CliException(ExitCodes.UNAVAILABLE, "request to " + this.base + " failed: " + describe(ex), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CliException(ExitCodes.UNAVAILABLE, "interrupted", ex);
		}
	}

	private JsonNode readJson(HttpResponse<byte[]> response) {
		if (response.statusCode() >= 400) {
			throw ApiException.of(response.statusCode(), response.body(), this.json);
		}
		return this.json.readTree(response.body());
	}

	private InputStream open(HttpResponse<InputStream> response) {
		if (response.statusCode() >= 400) {
			byte[] body;
			try (InputStream in = response.body()) {
				body = in.readNBytes(64 * 1024);
			}
			catch (IOException ex) {
				body = new byte[0];
			}
			throw ApiException.of(response.statusCode(), body, this.json);
		}
		return response.body();
	}

	static void close(InputStream in) {
		try {
			in.close();
		}
		catch (IOException ignored) {
			// the connection is dropped either way
		}
	}

	static String describe(IOException ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	/** A job id as one path segment: percent-encoded, so it can never change the path. */
	static String segment(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	static String query(Map<String, String> parameters) {
		String query = parameters.entrySet()
			.stream()
			.filter((parameter) -> parameter.getValue() != null)
			.map((parameter) -> parameter.getKey() + "="
					+ URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return query.isEmpty() ? "" : "?" + query;
	}

	/** Whether the file can be sent: checked before the first byte goes out. */
	static void checkReadable(Path file) {
		if (!Files.isRegularFile(file)) {
			throw new CliException(ExitCodes.USAGE,
					"cannot read " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
		}
		if (!Files.isReadable(file)) {
			throw new CliException(ExitCodes.USAGE, "cannot read " + file + ": permission denied");
		}
	}

}
