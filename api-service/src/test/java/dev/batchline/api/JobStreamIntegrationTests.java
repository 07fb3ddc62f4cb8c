package dev.batchline.api;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestInfrastructure;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /v1/jobs} with an NDJSON body, against a real PostgreSQL and a real Kafka
 * broker: the stream holds the same items, in the same order, as the same items in a JSON
 * body, and any refusal, however far into the stream, leaves nothing written.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.max-items=5000",
				"batchline.api.max-stream-items=3000", "batchline.api.max-stream-bytes=200000",
				"batchline.api.chunk-max-items=200", "batchline.api.chunk-max-bytes=4600",
				"batchline.topics.prefix=stream-it", "batchline.topics.partitions=3" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobStreamIntegrationTests {

	private static final Topics TOPICS = new Topics("stream-it");

	private static final String NDJSON = "application/x-ndjson";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	private KafkaConsumer<String, CloudEvent> chunkConsumer;

	private final Map<UUID, Map<Integer, ChunkSubmitted>> chunkRecords = new HashMap<>();

	private ApiClient api;

	private String apiKey;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.postgresAndKafka(registry);
	}

	@BeforeAll
	void setUp() {
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer", StringSerializer.class,
						"value.serializer", CloudEventSerializer.class))) {
			ModelDeployed iris = Fixtures.irisDeployed();
			producer.send(new ProducerRecord<>(TOPICS.models(), iris.key(),
					CloudEventRecords.event(ModelDeployed.TYPE, "worker-service", iris.key(), iris)));
		}
		this.chunkConsumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id",
				"test-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "key.deserializer",
				StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class));
		this.chunkConsumer.subscribe(List.of(TOPICS.chunks()));
		ApiClient admin = new ApiClient("http://localhost:" + this.port, "test-admin-token");
		ApiClient.Response tenant = admin.post("/v1/admin/tenants", "{\"name\":\"streamer\"}");
		assertThat(tenant.status()).isEqualTo(201);
		this.apiKey = tenant.json().get("api_key").asString();
		this.api = admin.withToken(this.apiKey);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/models").json().get("data").toString().contains("iris"));
	}

	@AfterAll
	void tearDown() {
		this.chunkConsumer.close();
	}

	@Test
	void aStreamedJobHoldsTheSameItemsInTheSameOrderAsTheSameItemsInAJsonBody() {
		List<String> items = IntStream.range(0, 2500)
			.mapToObj((i) -> (i % 7 == 3) ? "{\"features\": [" + i + ".0, 3.25, 1.5, 0.125]}"
					: "[" + i + ".0,3.5, 1.4 ,0.2]")
			.toList();
		String json = "{\"model\":\"iris\",\"instances\":[" + String.join(",", items)
				+ "],\"metadata\":{\"batch\":\"b 1\"}}";
		// blank lines, CRLF line ends and no line end after the last item
		StringBuilder ndjson = new StringBuilder("\n");
		for (int i = 0; i < items.size(); i++) {
			ndjson.append(items.get(i)).append((i % 2 == 0) ? "\r\n" : "\n").append((i % 500 == 0) ? "  \n" : "");
		}
		ndjson.setLength(ndjson.length() - 1);

		ApiClient.Response fromJson = this.api.post("/v1/jobs", json);
		ApiClient.Response streamed = this.api.post("/v1/jobs?model=iris&version=1&metadata="
				+ URLEncoder.encode("{\"batch\":\"b 1\"}", StandardCharsets.UTF_8), NDJSON, ndjson.toString());

		assertThat(streamed.status()).as(streamed.body()).isEqualTo(202);
		String id = streamed.json().get("id").asString();
		assertThat(streamed.headers().firstValue("Location")).hasValue(this.api.url("/v1/jobs/" + id));
		assertThat(streamed.json().get("state").asString()).isEqualTo("QUEUED");
		assertThat(streamed.json().get("version").asString()).isEqualTo("1");
		assertThat(streamed.json().get("counts").get("total").asLong()).isEqualTo(2500);
		assertThat(streamed.json().get("metadata").get("batch").asString()).isEqualTo("b 1");
		assertThat(this.api.get("/v1/jobs/" + id).json().get("counts").get("total").asLong()).isEqualTo(2500);
		String jsonId = fromJson.json().get("id").asString();

		List<Map<String, Object>> streamedRows = chunkRows(id);
		// chunks are bounded by items (200 here) and by bytes (longer items, fewer each)
		assertThat(streamedRows).extracting((row) -> (Integer) row.get("item_count"))
			.allSatisfy((count) -> assertThat(count).isBetween(1, 200));
		assertThat(streamedRows.stream().mapToInt((row) -> (Integer) row.get("item_count")).sum()).isEqualTo(2500);
		assertThat(chunkRows(jsonId)).extracting((row) -> row.get("item_count")).startsWith(200, 200, 200, 200, 200);
		assertThat(this.jdbc.queryForObject("select total_chunks from jobs where id = ?::uuid", Integer.class, id))
			.isEqualTo(streamedRows.size());

		List<ChunkSubmitted> records = chunksOf(UUID.fromString(id), streamedRows.size());
		List<ChunkSubmitted> jsonRecords = chunksOf(UUID.fromString(jsonId), chunkRows(jsonId).size());
		// valid lines are stored as sent (spaces and all), the JSON body's items as
		// parsed:
		// the chunks' bytes differ, the items do not
		assertThat(records.stream().flatMap((c) -> c.instances().stream()).toList())
			.containsExactlyElementsOf(jsonRecords.stream().flatMap((c) -> c.instances().stream()).toList());
		long next = 0;
		for (ChunkSubmitted record : records) {
			assertThat(record.firstIndex()).isEqualTo(next);
			next += record.instances().size();
		}
		assertThat(records.get(0).instances().get(3).get("features").get(2).asDouble()).isEqualTo(1.5);
	}

	@Test
	void aBadLineAnywhereIsNamedAndNothingIsWritten() {
		long jobs = count("jobs");
		long chunks = count("input_chunks");
		long history = count("job_state_history");
		List<String> lines = new ArrayList<>(
				IntStream.range(0, 2999).mapToObj((i) -> "[" + i + ", 3.5, 1.4, 0.2]").toList());
		lines.add(1000, "");
		lines.set(2001, "[1, 2, 3]"); // item 2000, after ten chunks are copied already
		ApiClient.Response invalid = this.api.post("/v1/jobs?model=iris", NDJSON, String.join("\n", lines));
		assertProblem(invalid, 422, "invalid-instance", "instances[2000] (line 2002)");
		assertThat(invalid.json().get("item_index").asLong()).isEqualTo(2000);
		assertThat(invalid.json().get("line").asLong()).isEqualTo(2002);
		lines.set(2001, "[1, 2, 3, 4");
		ApiClient.Response malformed = this.api.post("/v1/jobs?model=iris", NDJSON, String.join("\n", lines));
		assertProblem(malformed, 400, "malformed-json", "line 2002 (instances[2000])");
		assertThat(malformed.json().get("line").asLong()).isEqualTo(2002);
		lines.set(2001, "[1, 2, 3, 4] [5, 6, 7, 8]");
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, String.join("\n", lines)), 400, "malformed-json",
				"line 2002");
		lines.set(2001, "[1, 2, 3, 4]");
		lines.add("[1, 2, NaN, 4]");
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, String.join("\n", lines)), 400, "malformed-json",
				"line 3001 (instances[2999])");

		assertThat(count("jobs")).isEqualTo(jobs);
		assertThat(count("input_chunks")).isEqualTo(chunks);
		assertThat(count("job_state_history")).isEqualTo(history);
		assertThat(this.jdbc.queryForObject(
				"select count(*) from outbox o where not exists (select 1 from jobs j where j.id = o.job_id)",
				Long.class))
			.isZero();
	}

	@Test
	void refusesStreamsPastTheItemAndByteLimits() throws Exception {
		long jobs = count("jobs");
		String items3001 = IntStream.range(0, 3001).mapToObj((i) -> "[1,2,3,4]").collect(Collectors.joining("\n"));
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, items3001), 413, "too-many-items",
				"batchline.api.max-stream-items");
		assertThat(this.api.post("/v1/jobs?model=iris", NDJSON, items3001.substring(10)).status()).isEqualTo(202);

		String big = "[1.00000000000001,2.00000000000001,3.00000000000001,4.00000000000001]\n".repeat(2900);
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, big), 413, "body-too-large",
				"batchline.api.max-stream-bytes");
		// without a Content-Length the limit is found while reading
		HttpResponse<String> chunked = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.build()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/v1/jobs?model=iris"))
				.header("Authorization", "Bearer " + this.apiKey)
				.header("Content-Type", NDJSON)
				.POST(HttpRequest.BodyPublishers
					.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
		assertThat(chunked.body()).contains("body-too-large", "200000");
		assertThat(count("jobs")).isEqualTo(jobs + 1);
	}

	@Test
	void refusesBadParametersAndEmptyStreams() {
		String one = "[5.1, 3.5, 1.4, 0.2]\n";
		assertProblem(this.api.post("/v1/jobs?model=nope", NDJSON, one), 422, "unknown-model", "nope");
		assertProblem(this.api.post("/v1/jobs?model=iris&version=9", NDJSON, one), 422, "unknown-model", "iris:9");
		assertProblem(this.api.post("/v1/jobs", NDJSON, one), 422, "invalid-request", "'model'");
		assertProblem(this.api.post("/v1/jobs?model=iris&instances=1", NDJSON, one), 422, "invalid-request",
				"unknown parameter 'instances'");
		assertProblem(this.api.post("/v1/jobs?model=iris&metadata=%7Bx", NDJSON, one), 400, "malformed-json",
				"metadata");
		assertProblem(this.api.post("/v1/jobs?model=iris&metadata=%5B1%5D", NDJSON, one), 422, "invalid-request",
				"metadata");
		assertProblem(this.api.post("/v1/jobs?model=iris&callback_url=http://127.0.0.1/x", NDJSON, one), 422,
				"forbidden-url", null);
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, ""), 422, "invalid-request", "no items");
		assertProblem(this.api.post("/v1/jobs?model=iris", NDJSON, "\n \n\r\n"), 422, "invalid-request", "no items");
		assertProblem(this.api.withToken(null).post("/v1/jobs?model=iris", NDJSON, one), 401, "unauthorized", null);
	}

	private long count(String table) {
		return this.jdbc.queryForObject("select count(*) from " + table, Long.class);
	}

	private List<Map<String, Object>> chunkRows(String jobId) {
		return this.jdbc.queryForList("select chunk_no, first_index, item_count, encode(sha256(instances), 'hex') sha"
				+ " from input_chunks where job_id = ?::uuid order by chunk_no", jobId);
	}

	private List<ChunkSubmitted> chunksOf(UUID jobId, int expected) {
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			for (ConsumerRecord<String, CloudEvent> record : this.chunkConsumer.poll(Duration.ofMillis(200))) {
				ChunkSubmitted chunk = ChunkTensors.readSubmitted(record.value().getDataContentType(),
						record.value().getData().toBytes());
				this.chunkRecords.computeIfAbsent(chunk.jobId(), (id) -> new HashMap<>()).put(chunk.chunk(), chunk);
			}
			return this.chunkRecords.getOrDefault(jobId, Map.of()).size() == expected;
		});
		return this.chunkRecords.get(jobId)
			.values()
			.stream()
			.sorted(java.util.Comparator.comparingInt(ChunkSubmitted::chunk))
			.toList();
	}

}
