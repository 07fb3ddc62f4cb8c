package dev.batchline.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A GraphQL subscription over SSE read as a plain SSE client reads it (the WHATWG event
 * stream format, line by line, with {@code java.net.http}): {@code POST /graphql} with
 * {@code Accept: text/event-stream}, then {@code next} events until {@code complete}.
 */
final class GraphQlSse implements AutoCloseable {

	private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.executor(this.readers)
		.build();

	private final String url;

	private final String token;

	GraphQlSse(int port, String token) {
		this.url = "http://localhost:" + port + "/graphql";
		this.token = token;
	}

	/** One event of the stream; comments (keep-alive) are skipped. */
	record Event(String name, String data) {

		JsonNode json() {
			return EventCodec.tree(this.data.getBytes());
		}

	}

	/** Subscribes; the events, once the stream has ended. */
	Future<List<Event>> subscribe(String document, Map<String, Object> variables) {
		byte[] body = EventCodec.encode(Map.of("query", document, "variables", variables));
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.url))
			.header("Authorization", "Bearer " + this.token)
			.header("Content-Type", "application/json")
			.header("Accept", "text/event-stream")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
		return this.readers.submit(() -> read(request));
	}

	private List<Event> read(HttpRequest request) {
		HttpResponse<java.util.stream.Stream<String>> response;
		try {
			response = this.http.send(request, HttpResponse.BodyHandlers.ofLines());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/event-stream"));
		List<Event> events = new ArrayList<>();
		String name = "message";
		StringBuilder data = null;
		try (java.util.stream.Stream<String> lines = response.body()) {
			Iterator<String> iterator = lines.iterator();
			while (iterator.hasNext()) {
				String line = iterator.next();
				if (line.isEmpty()) {
					if (data != null) {
						events.add(new Event(name, data.toString()));
					}
					name = "message";
					data = null;
				}
				else if (line.startsWith("event:")) {
					name = line.substring(6).strip();
				}
				else if (line.startsWith("data:")) {
					data = ((data != null) ? data.append('\n') : new StringBuilder()).append(line.substring(5).strip());
				}
			}
		}
		return events;
	}

	@Override
	public void close() {
		this.http.close();
		this.readers.close();
	}

}
