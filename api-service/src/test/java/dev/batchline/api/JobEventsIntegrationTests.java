package dev.batchline.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/jobs/{id}/events} over real HTTP, read as any SSE client reads it (the
 * WHATWG event stream format, line by line). The service runs on platform request threads
 * here (at most 20), so a stream that held its request thread could not reach 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=events-it",
				"batchline.topics.partitions=1", "batchline.api.chunk-max-items=1",
				"batchline.api.limits.enabled=false", "batchline.api.events.max-streams=510",
				"batchline.api.events.max-streams-per-tenant=500", "batchline.api.events.poll-interval=100ms",
				"batchline.api.events.progress-interval=1s", "batchline.api.events.heartbeat-interval=1s",
				"batchline.api.events.retry=2s", "spring.threads.virtual.enabled=false",
				"server.tomcat.threads.max=20" })
class JobEventsIntegrationTests extends ApiIntegrationTest {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.executor(this.readers)
		.build();

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private WebServerApplicationContext server;

	JobEventsIntegrationTests() {
		super("events-it", null);
	}

	@AfterAll
	void closeClient() {
		this.http.close();
		this.readers.close();
	}

	@Test
	void sendsEveryStateChangeInOrderWithProgressThenEnds() {
		UUID job = submit(3);
		try (EventStream stream = open(this.api, job, null)) {
			assertThat(stream.status).isEqualTo(200);
			assertThat(stream.contentType).startsWith("text/event-stream");
			await().atMost(WAIT).until(() -> stream.states().contains("QUEUED"));
			assertThat(stream.retry).isEqualTo(2000);
			finish(job, 3);
			await().atMost(WAIT).until(() -> stream.ended);

			assertThat(stream.states()).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
			Event last = stream.events.get(stream.events.size() - 1);
			assertThat(last.name()).isEqualTo("state");
			assertThat(last.json().get("to").asString()).isEqualTo("SUCCEEDED");
			Event progress = stream.events.get(stream.events.size() - 2);
			assertThat(progress.name()).isEqualTo("progress");
			assertThat(progress.json().get("counts").get("succeeded").asLong()).isEqualTo(3);
			assertThat(progress.json().get("counts").get("pending").asLong()).isZero();
			assertIdsGrow(stream.events);
			// the state events are the status endpoint's history, reason and time
			// included
			JsonNode history = this.api.get("/v1/jobs/" + job).json().get("history");
			List<JsonNode> states = stream.events.stream()
				.filter((e) -> e.name().equals("state"))
				.map(Event::json)
				.toList();
			assertThat(states).containsExactlyElementsOf(history::iterator);
		}
	}

	@Test
	void aClientReconnectingWithLastEventIdGetsTheRestWithoutRepeatsOrGaps() {
		UUID job = submit(4);
		List<Event> seen = new ArrayList<>();
		String lastId;
		try (EventStream first = open(this.api, job, null)) {
			await().atMost(WAIT).until(() -> first.states().contains("QUEUED"));
			result(job, 0, true);
			await().atMost(WAIT)
				.until(() -> first.states().contains("RUNNING")
						&& first.events.stream().anyMatch((e) -> e.name().equals("progress")));
			seen.addAll(first.events);
			lastId = seen.get(seen.size() - 1).id();
		}
		// the rest happens while the client is away
		for (int chunk = 1; chunk < 4; chunk++) {
			result(job, chunk, chunk != 2);
		}
		await().atMost(WAIT)
			.until(() -> this.api.get("/v1/jobs/" + job).json().get("state").asString().equals("PARTIALLY_SUCCEEDED"));

		try (EventStream second = open(this.api, job, lastId)) {
			await().atMost(WAIT).until(() -> second.ended);
			assertThat(second.events).extracting(Event::id).doesNotContainAnyElementsOf(ids(seen));
			seen.addAll(second.events);
			assertIdsGrow(seen);
			assertThat(seen.stream().filter((e) -> e.name().equals("state")).map(Event::json).toList())
				.containsExactlyElementsOf(this.api.get("/v1/jobs/" + job).json().get("history")::iterator);
			Event progress = second.events.get(second.events.size() - 2);
			assertThat(progress.json().get("counts").get("failed").asLong()).isEqualTo(1);
			assertThat(progress.json().get("counts").get("succeeded").asLong()).isEqualTo(3);

			// a client that has seen the terminal event is told to stop reconnecting
			String terminalId = second.events.get(second.events.size() - 1).id();
			try (EventStream third = open(this.api, job, terminalId)) {
				assertThat(third.status).isEqualTo(204);
			}
		}
		for (String invalid : List.of("x", "1", "1-", "-1-0", "1-2-3", "99999999999-0", "1-99999999999999999999")) {
			try (EventStream refused = open(this.api, job, invalid)) {
				assertThat(refused.status).as(invalid).isEqualTo(400);
				assertThat(refused.contentType).isEqualTo("application/problem+json");
				assertThat(refused.body()).contains("Last-Event-ID").contains("bad-request");
			}
		}
	}

	@Test
	void progressComesAtMostOncePerIntervalWhileTheCountsChange() {
		int items = 16;
		UUID job = submit(items);
		try (EventStream stream = open(this.api, job, null)) {
			await().atMost(WAIT).until(() -> stream.states().contains("QUEUED"));
			for (int chunk = 0; chunk < items; chunk++) {
				result(job, chunk, true);
				long recorded = chunk + 1;
				await().atMost(WAIT)
					.until(() -> this.api.get("/v1/jobs/" + job)
						.json()
						.get("counts")
						.get("succeeded")
						.asLong() == recorded);
			}
			await().atMost(WAIT).until(() -> stream.ended);
			List<Event> progress = stream.events.stream().filter((e) -> e.name().equals("progress")).toList();
			assertThat(progress).isNotEmpty().hasSizeLessThan(items);
			for (int i = 1; i < progress.size(); i++) {
				// 1 s apart when sent; the loopback may bunch two up a little
				assertThat(Duration.ofNanos(progress.get(i).receivedAt() - progress.get(i - 1).receivedAt()))
					.isGreaterThan(Duration.ofMillis(800));
				assertThat(processed(progress.get(i))).isGreaterThan(processed(progress.get(i - 1)));
			}
			assertThat(processed(progress.get(progress.size() - 1))).isEqualTo(items);
		}
	}

	@Test
	void aQuietStreamGetsHeartbeatsAndADisconnectedClientFreesItsStream() {
		UUID job = submit(1);
		awaitNoOpenStreams();
		EventStream stream = open(this.api, job, null);
		await().atMost(WAIT).until(() -> stream.comments.size() >= 2);
		assertThat(stream.comments).allMatch(" keep-alive"::equals);
		assertThat(stream.states()).containsExactly("QUEUED");
		assertThat(openStreams()).isEqualTo(1);
		stream.close();
		// found at the latest when a heartbeat (every second here) cannot be written
		await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 0);
	}

	@Test
	void anotherTenantsJobAndBadRequestsAreProblemsBeforeAnyStream() {
		UUID job = submit(1);
		ApiClient other = this.api.withToken(this.api.withToken("test-admin-token")
			.post("/v1/admin/tenants", "{\"name\":\"other\"}")
			.json()
			.get("api_key")
			.asString());
		for (ApiClient.Response response : List.of(get(other, "/v1/jobs/" + job + "/events", "text/event-stream"),
				get(this.api, "/v1/jobs/" + UUID.randomUUID() + "/events", "text/event-stream"))) {
			assertProblem(response, 404, "not-found", null);
		}
		assertProblem(get(this.api.withToken(null), "/v1/jobs/" + job + "/events", "text/event-stream"), 401,
				"unauthorized", null);
		assertProblem(get(this.api, "/v1/jobs/" + job + "/events", "application/json"), 406, "not-acceptable", null);
		assertProblem(get(this.api, "/v1/jobs/nope/events", "text/event-stream"), 400, "bad-request", null);
		// the status asked for as a stream is not acceptable either
		assertProblem(get(this.api, "/v1/jobs/" + job, "text/event-stream"), 406, "not-acceptable", null);
	}

	@Test
	void fiveHundredStreamsShareOnePollerWithoutHoldingThreadsOrConnections() throws Exception {
		List<UUID> jobs = IntStream.range(0, 100).mapToObj((i) -> submit(1)).toList();
		assertThat(requestThreads().getMaximumPoolSize()).isEqualTo(20);
		awaitNoOpenStreams();
		int platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
		List<Future<EventStream>> opening = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			UUID job = jobs.get(i % jobs.size());
			opening.add(this.readers.submit(() -> open(this.api, job, null)));
		}
		List<EventStream> streams = new ArrayList<>();
		for (Future<EventStream> future : opening) {
			streams.add(future.get());
		}
		try {
			assertThat(streams).allMatch((s) -> s.status == 200);
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(streams).filteredOn((s) -> !s.states().contains("QUEUED")).isEmpty());
			assertThat(openStreams()).isEqualTo(500);
			// while 500 streams wait: no request thread, no connection, few threads
			for (int sample = 0; sample < 5; sample++) {
				assertThat(requestThreads().getActiveCount()).isLessThanOrEqualTo(2);
				assertThat(gauge("hikaricp.connections.active")).isLessThanOrEqualTo(4);
				await().pollDelay(Duration.ofMillis(200)).until(() -> true);
			}
			// Tomcat's pool may have grown to its 20 while the streams opened; never 500
			assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).isLessThan(platformThreads + 40);

			// past the tenant's streams: 429; past the replica's: 503
			try (EventStream refused = open(this.api, jobs.get(0), null)) {
				assertThat(refused.status).isEqualTo(429);
				assertThat(refused.body()).contains("quota-exceeded").contains("max-streams-per-tenant");
			}
			ApiClient other = this.api.withToken(this.api.withToken("test-admin-token")
				.post("/v1/admin/tenants", "{\"name\":\"other\"}")
				.json()
				.get("api_key")
				.asString());
			UUID otherJob = UUID
				.fromString(other.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString());
			List<EventStream> more = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				more.add(open(other, otherJob, null));
			}
			try (EventStream refused = open(other, otherJob, null)) {
				assertThat(refused.status).isEqualTo(503);
				assertThat(refused.body()).contains("unavailable").contains("batchline.api.events.max-streams");
			}
			assertThat(more).allMatch((s) -> s.status == 200);
			more.forEach(EventStream::close);

			jobs.forEach((job) -> result(job, 0, true));
			await().atMost(Duration.ofSeconds(60))
				.until(() -> streams.stream().allMatch((s) -> s.ended && s.states().contains("SUCCEEDED")));
			assertThat(streams).allMatch((s) -> s.states().equals(List.of("QUEUED", "RUNNING", "SUCCEEDED")));
			await().atMost(WAIT).until(() -> openStreams() == 0);
		}
		finally {
			streams.forEach(EventStream::close);
		}
	}

	private UUID submit(int items) {
		ApiClient.Response submitted = this.api.post("/v1/jobs", WorkerSide.jobJson(items, null));
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		return UUID.fromString(submitted.json().get("id").asString());
	}

	/** Records every item of a job of one-item chunks as succeeded. */
	private void finish(UUID job, int chunks) {
		for (int chunk = 0; chunk < chunks; chunk++) {
			result(job, chunk, true);
		}
	}

	/** A worker's result of a one-item chunk. */
	private void result(UUID job, int chunk, boolean success) {
		ItemResult item = success ? ItemResult.success(chunk, JsonNodeFactory.instance.objectNode().put("echo", chunk))
				: ItemResult.failure(chunk, new ItemError(ItemError.MODEL_ERROR, "test"));
		this.workers.publishResult(new ChunkCompleted(job, chunk, chunk, "iris", "1", "test", List.of(item)));
	}

	/** Streams of earlier tests that their clients closed are found within seconds. */
	private void awaitNoOpenStreams() {
		await().atMost(WAIT).until(() -> openStreams() == 0);
	}

	private double openStreams() {
		return gauge("batchline.job.event.streams");
	}

	/** Tomcat's request threads (platform threads here). */
	private ThreadPoolExecutor requestThreads() {
		return (ThreadPoolExecutor) ((TomcatWebServer) this.server.getWebServer()).getTomcat()
			.getConnector()
			.getProtocolHandler()
			.getExecutor();
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private ApiClient.Response get(ApiClient client, String path, String accept) {
		return client.get(path, accept);
	}

	private static long processed(Event progress) {
		JsonNode counts = progress.json().get("counts");
		return counts.get("succeeded").asLong() + counts.get("failed").asLong();
	}

	private static List<String> ids(List<Event> events) {
		return events.stream().map(Event::id).toList();
	}

	/** Every event has an id, and each is past the one before: (sequence, processed). */
	private static void assertIdsGrow(List<Event> events) {
		long[] previous = { -1, -1 };
		for (Event event : events) {
			assertThat(event.id()).matches("[0-9]+-[0-9]+");
			String[] parts = event.id().split("-");
			long[] id = { Long.parseLong(parts[0]), Long.parseLong(parts[1]) };
			assertThat(id[0] > previous[0] || (id[0] == previous[0] && id[1] > previous[1]))
				.as("%s after %d-%d", event.id(), previous[0], previous[1])
				.isTrue();
			previous = id;
		}
	}

	private EventStream open(ApiClient client, UUID job, String lastEventId) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/v1/jobs/" + job + "/events"))
			.header("Accept", "text/event-stream");
		if (client.token() != null) {
			request.header("Authorization", "Bearer " + client.token());
		}
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		try {
			HttpResponse<InputStream> response = this.http.send(request.GET().build(),
					HttpResponse.BodyHandlers.ofInputStream());
			EventStream stream = new EventStream(response);
			this.readers.execute(stream::read);
			return stream;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** An event as an SSE client dispatches it, with the time it arrived. */
	record Event(String id, String name, String data, long receivedAt) {

		JsonNode json() {
			return EventCodec.tree(this.data.getBytes(StandardCharsets.UTF_8));
		}

	}

	/**
	 * A stream read per the WHATWG event stream rules: {@code field: value} lines (one
	 * leading space dropped), comments from {@code :}, an event dispatched at a blank
	 * line when it has data, the last event id kept across events.
	 */
	static final class EventStream implements AutoCloseable {

		final int status;

		final String contentType;

		final List<Event> events = new CopyOnWriteArrayList<>();

		final List<String> comments = new CopyOnWriteArrayList<>();

		final List<String> lines = new CopyOnWriteArrayList<>();

		volatile Long retry;

		volatile boolean ended;

		private final InputStream body;

		EventStream(HttpResponse<InputStream> response) {
			this.status = response.statusCode();
			this.contentType = response.headers().firstValue("Content-Type").orElse("");
			this.body = response.body();
		}

		List<String> states() {
			return this.events.stream()
				.filter((e) -> e.name().equals("state"))
				.map((e) -> e.json().get("to").asString())
				.toList();
		}

		/** What a refused stream answered. */
		String body() {
			await().atMost(WAIT).until(() -> this.ended);
			return String.join("\n", this.lines);
		}

		void read() {
			String lastId = "";
			String name = "";
			StringBuilder data = new StringBuilder();
			try (BufferedReader reader = new BufferedReader(new InputStreamReader(this.body, StandardCharsets.UTF_8))) {
				for (String line = reader.readLine(); line != null; line = reader.readLine()) {
					this.lines.add(line);
					if (line.isEmpty()) {
						if (!data.isEmpty()) {
							data.setLength(data.length() - 1);
							this.events.add(new Event(lastId, name.isEmpty() ? "message" : name, data.toString(),
									System.nanoTime()));
						}
						name = "";
						data.setLength(0);
						continue;
					}
					if (line.startsWith(":")) {
						this.comments.add(line.substring(1));
						continue;
					}
					int colon = line.indexOf(':');
					String field = (colon < 0) ? line : line.substring(0, colon);
					String value = (colon < 0) ? "" : line.substring(colon + 1);
					value = value.startsWith(" ") ? value.substring(1) : value;
					switch (field) {
						case "event" -> name = value;
						case "data" -> data.append(value).append('\n');
						case "id" -> lastId = value;
						case "retry" -> this.retry = value.matches("[0-9]+") ? Long.valueOf(value) : this.retry;
						default -> {
						}
					}
				}
			}
			catch (IOException ex) {
				// closed by the test
			}
			finally {
				this.ended = true;
			}
		}

		@Override
		public String toString() {
			return this.status + (this.ended ? " ended " : " open ") + this.lines;
		}

		@Override
		public void close() {
			try {
				this.body.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
