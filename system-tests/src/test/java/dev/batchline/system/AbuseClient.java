package dev.batchline.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

/**
 * The abuse suite's client of the api-service: every answer it gets, through
 * {@code java.net.http} or a raw socket, is counted by status, and each answer of 500 or
 * more is remembered with the request that got it.
 */
final class AbuseClient {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String host;

	private final int port;

	private final String adminToken;

	private final HttpClient http;

	private final Map<Integer, LongAdder> tally = new ConcurrentHashMap<>();

	private final List<String> serverErrors = new CopyOnWriteArrayList<>();

	/** One answer, timed from the request's start to the last byte of its body. */
	record Answer(String request, int status, HttpHeaders headers, byte[] body, long nanos) {

		JsonNode json() {
			return EventCodec.tree(this.body);
		}

		/** The problem type's last segment ({@code rate-limited}), or "" for none. */
		String problem() {
			if (!contentType().startsWith("application/problem+json")) {
				return "";
			}
			String type = json().path("type").asString("");
			return type.substring(type.lastIndexOf('/') + 1);
		}

		String contentType() {
			return this.headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
		}

		Optional<String> header(String name) {
			return this.headers.firstValue(name);
		}

		String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		double millis() {
			return this.nanos / 1e6;
		}

		@Override
		public String toString() {
			return this.request + " -> " + this.status + " " + text();
		}

	}

	/** What a raw socket got: the status and the head and body as text. */
	record RawAnswer(int status, String text) {

		boolean isProblem() {
			return this.text.toLowerCase(Locale.ROOT).contains("content-type: application/problem+json");
		}

	}

	/** A tenant and its key. */
	record Tenant(UUID id, String name, String key) {
	}

	/** Writes a request body to a socket. */
	interface BodyWriter {

		void write(OutputStream out) throws IOException;

	}

	AbuseClient(String host, int port, String adminToken) {
		this.host = host;
		this.port = port;
		this.adminToken = adminToken;
		this.http = client(null);
	}

	/** A client whose connections leave from {@code localAddress} (e.g. 127.0.0.2). */
	static HttpClient client(InetAddress localAddress) {
		HttpClient.Builder builder = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5));
		if (localAddress != null) {
			builder.localAddress(localAddress);
		}
		return builder.build();
	}

	int port() {
		return this.port;
	}

	Tenant tenant(String name) {
		Answer made = send("POST", "/v1/admin/tenants", this.adminToken, "application/json",
				("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
		expect(made, 201);
		JsonNode json = made.json();
		return new Tenant(UUID.fromString(json.get("tenant_id").asString()), name, json.get("api_key").asString());
	}

	/** Sets a tenant's own limits through the admin API. */
	void limits(Tenant tenant, String json) {
		expect(send("PUT", "/v1/admin/tenants/" + tenant.id() + "/limits", this.adminToken, "application/json",
				json.getBytes(StandardCharsets.UTF_8)), 200);
	}

	Answer get(String path, String key) {
		return send("GET", path, key, null, null);
	}

	Answer postJson(String path, String key, String json) {
		return send("POST", path, key, "application/json", json.getBytes(StandardCharsets.UTF_8));
	}

	Answer send(String method, String path, String key, String contentType, byte[] body) {
		return send(this.http, method, path, key, contentType, body);
	}

	/** A request through the given client, counted. */
	Answer send(HttpClient client, String method, String path, String key, String contentType, byte[] body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + this.host + ":" + this.port + path))
			.timeout(TIMEOUT)
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(body)
					: HttpRequest.BodyPublishers.noBody());
		if (key != null) {
			request.header("Authorization", "Bearer " + key);
		}
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		long start = System.nanoTime();
		try {
			HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			Answer answer = new Answer(method + " " + path, response.statusCode(), response.headers(), response.body(),
					System.nanoTime() - start);
			count(answer.status(), answer.request(), answer.text());
			return answer;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(method + " " + path + " got no answer", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A request over a socket of its own: {@code head} (the request line and headers,
	 * without the blank line), then the body written by another thread while this one
	 * reads the answer, so an answer sent before the body ends is seen even when the
	 * server then closes the connection.
	 */
	RawAnswer raw(String head, BodyWriter body) {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			Thread writer = Thread.ofPlatform().name("raw-body").start(() -> {
				try {
					out.write((head + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
					if (body != null) {
						body.write(out);
					}
					out.flush();
				}
				catch (IOException ex) {
					// the server answered and closed the connection before the body ended
				}
			});
			RawAnswer answer = readAnswer(socket.getInputStream());
			socket.close();
			writer.join();
			count(answer.status(), head.lines().findFirst().orElse(head), answer.text());
			return answer;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(head.lines().findFirst().orElse(head) + " got no answer", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Reads one HTTP/1.1 answer: its head, then its body by {@code Content-Length}, or
	 * its chunks, or up to the end of the connection.
	 */
	static RawAnswer readAnswer(InputStream in) throws IOException {
		ByteArrayOutputStream text = new ByteArrayOutputStream();
		long length = -1;
		boolean chunked = false;
		String line = line(in);
		if (!line.startsWith("HTTP/1.1 ")) {
			throw new IOException("not an HTTP answer: " + line);
		}
		int status = Integer.parseInt(line.substring(9, 12));
		text.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
		for (String header = line(in); !header.isEmpty(); header = line(in)) {
			text.writeBytes((header + "\n").getBytes(StandardCharsets.UTF_8));
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring(15).strip());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
		}
		text.write('\n');
		if (chunked) {
			for (long size = Long.parseLong(line(in).split(";")[0].strip(), 16); size > 0; size = Long
				.parseLong(line(in).split(";")[0].strip(), 16)) {
				text.writeBytes(in.readNBytes((int) size));
				line(in);
			}
		}
		else if (length >= 0) {
			text.writeBytes(in.readNBytes((int) length));
		}
		return new RawAnswer(status, text.toString(StandardCharsets.UTF_8));
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IOException("the connection closed in the answer's head: " + line);
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	/** Counts an answer; one of 500 or more is remembered with its request. */
	void count(int status, String request, String body) {
		this.tally.computeIfAbsent(status, (s) -> new LongAdder()).increment();
		if (status >= 500) {
			this.serverErrors.add(request + " -> " + status + " " + body);
		}
	}

	/** Every answer so far by status. */
	Map<Integer, Long> tally() {
		Map<Integer, Long> counted = new TreeMap<>();
		this.tally.forEach((status, count) -> counted.put(status, count.sum()));
		return counted;
	}

	/** The answers of 500 or more, with their requests. */
	List<String> serverErrors() {
		return List.copyOf(this.serverErrors);
	}

	static Answer expect(Answer answer, int status) {
		if (answer.status() != status) {
			throw new AssertionError("expected " + status + ": " + answer);
		}
		return answer;
	}

}
