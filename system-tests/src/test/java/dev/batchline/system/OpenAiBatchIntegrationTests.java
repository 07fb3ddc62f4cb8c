package dev.batchline.system;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.Topics;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAI-compatible batch API driven by the official OpenAI Java SDK, unchanged but
 * for its base URL and key, against the packaged api-service and a worker on a real
 * PostgreSQL and Kafka: JSONL requests in, output files keyed by {@code custom_id} out,
 * every prediction equal to DJL's own on the same SavedModel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiBatchIntegrationTests {

	private static final String ADMIN_TOKEN = "openai-admin-token";

	private static final Topics TOPICS = new Topics("openai");

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", ".."));

	private static final Offset<Double> CLOSE = Offset.offset(1e-5);

	private final List<ServiceProcess> services = new ArrayList<>();

	private ServiceProcess api;

	private OpenAIClient openai;

	private String key;

	private List<float[]> rows;

	private IrisModel.Outputs expected;

	@TempDir
	Path files;

	@BeforeAll
	void startPipeline() throws Exception {
		TestPostgres.Database database = TestPostgres.newDatabase();
		Map<String, String> common = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
				"BATCHLINE_TOPICS_PREFIX", TOPICS.prefix(), "BATCHLINE_TOPICS_PARTITIONS", "2");
		Map<String, String> apiEnv = new HashMap<>(common);
		apiEnv.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(), "BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN));
		this.api = track(PipelineEndToEndIntegrationTests.start("api-service", "openai-api-service", apiEnv));
		ServiceProcess worker = track(
				PipelineEndToEndIntegrationTests.start("worker-service", "openai-worker", common));
		this.api.awaitReady();
		worker.awaitReady();
		HttpResponse<String> tenant = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(this.api.url("/v1/admin/tenants")))
				.header("Authorization", "Bearer " + ADMIN_TOKEN)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"openai\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		this.key = EventCodec.tree(tenant.body().getBytes(StandardCharsets.UTF_8)).get("api_key").asString();
		this.openai = client(this.key);
		this.rows = IrisModel.dataSet(ROOT);
		try (IrisModel model = IrisModel.load(ROOT)) {
			this.expected = model.predict(this.rows);
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create(this.api.url("/v2/models/iris/ready")))
					.header("Authorization", "Bearer " + this.key)
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode() == 200);
	}

	@AfterAll
	void stopPipeline() {
		this.services.forEach(ServiceProcess::close);
	}

	@Test
	void aTensorFlowServingBatchMadeWithTheOpenAiSdkAnswersEveryCustomIdAsDjlDoes() throws Exception {
		// in reverse order, so that the output's order is not the input's by chance
		List<String> lines = new ArrayList<>();
		for (int i = this.rows.size() - 1; i >= 0; i--) {
			lines.add("{\"custom_id\": \"iris-" + i + "\", \"method\": \"POST\", \"url\": \"/v1/models/iris:predict\", "
					+ "\"body\": {\"instances\": [" + IrisModel.json(this.rows.get(i)) + "]}}");
		}
		FileObject input = upload("iris.jsonl", lines);
		assertThat(input.purpose()).isEqualTo(FileObject.Purpose.BATCH);
		assertThat(input.filename()).isEqualTo("iris.jsonl");
		assertThat(input.bytes()).isEqualTo(Files.size(this.files.resolve("iris.jsonl")));

		Batch batch = this.openai.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(input.id())
				.endpoint(BatchCreateParams.Endpoint.of("/v1/models/iris:predict"))
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.metadata(BatchCreateParams.Metadata.builder()
					.putAdditionalProperty("run", JsonValue.from("nightly"))
					.build())
				.build());
		assertThat(batch.status()).isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(batch.inputFileId()).isEqualTo(input.id());
		Batch done = awaitStatus(batch.id(), Batch.Status.COMPLETED);
		assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(this.rows.size());
		assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(this.rows.size());
		assertThat(done.requestCounts().orElseThrow().failed()).isZero();
		assertThat(done.errorFileId()).isEmpty();
		assertThat(done.completedAt()).isPresent();
		assertThat(done.metadata().orElseThrow()._additionalProperties().get("run")).hasToString("nightly");

		Map<String, JsonNode> output = byCustomId(content(done.outputFileId().orElseThrow()));
		assertThat(output).hasSize(this.rows.size());
		for (int i = 0; i < this.rows.size(); i++) {
			JsonNode line = output.get("iris-" + i);
			assertThat(line.get("error").isNull()).isTrue();
			assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
			JsonNode prediction = line.get("response").get("body").get("predictions").get(0);
			assertThat(prediction.get("class_id").asLong()).as("class of row %d", i)
				.isEqualTo(this.expected.classes()[i]);
			for (int c = 0; c < 3; c++) {
				assertThat(prediction.get("probabilities").get(c).asDouble())
					.isCloseTo(this.expected.probabilities()[i][c], CLOSE);
			}
		}
		FileObject described = this.openai.files().retrieve(done.outputFileId().orElseThrow());
		assertThat(described.purpose()).isEqualTo(FileObject.Purpose.BATCH_OUTPUT);
		assertThat(described.bytes()).isEqualTo(content(done.outputFileId().orElseThrow()).length);

		assertThat(this.openai.batches().list().data()).extracting(Batch::id).contains(batch.id());
		assertThat(new String(content(input.id()), StandardCharsets.UTF_8).lines().toList()).isEqualTo(lines);
	}

	@Test
	void anOpenInferenceProtocolBatchAnswersInItsTensors() throws Exception {
		List<String> lines = IntStream.range(0, 20)
			.mapToObj((i) -> "{\"custom_id\": \"oip-" + i
					+ "\", \"method\": \"POST\", \"url\": \"/v2/models/iris/infer\", "
					+ "\"body\": {\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\", "
					+ "\"data\": " + IrisModel.json(this.rows.get(i * 7)) + "}]}}")
			.toList();
		Batch batch = create(upload("oip.jsonl", lines).id(), "/v2/models/iris/infer");
		Batch done = awaitStatus(batch.id(), Batch.Status.COMPLETED);
		Map<String, JsonNode> output = byCustomId(content(done.outputFileId().orElseThrow()));
		for (int i = 0; i < 20; i++) {
			JsonNode body = output.get("oip-" + i).get("response").get("body");
			assertThat(body.get("model_name").asString()).isEqualTo("iris");
			JsonNode classes = body.get("outputs").get(0);
			assertThat(classes.get("name").asString()).isEqualTo("class_id");
			assertThat(classes.get("datatype").asString()).isEqualTo("INT64");
			assertThat(classes.get("shape").toString()).isEqualTo("[1]");
			assertThat(classes.get("data").get(0).asLong()).isEqualTo(this.expected.classes()[i * 7]);
		}
	}

	@Test
	void anInputWithABadLineOrARepeatedCustomIdMakesAFailedBatchNamingTheLine() throws Exception {
		String good = "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": \"/v1/models/iris:predict\", "
				+ "\"body\": {\"instances\": [[1, 2, 3, 4]]}}";
		Batch repeated = create(upload("repeated.jsonl", List.of(good, good.replace("[1, 2", "[5, 6"), good)).id(),
				"/v1/models/iris:predict");
		assertThat(repeated.status()).isEqualTo(Batch.Status.FAILED);
		Batch.Errors errors = repeated.errors().orElseThrow();
		assertThat(errors.data().orElseThrow().get(0).code()).hasValue("duplicate-custom-id");
		assertThat(errors.data().orElseThrow().get(0).line()).hasValue(2L);
		assertThat(repeated.failedAt()).isPresent();

		String shortRow = good.replace("\"a\"", "\"b\"").replace("[1, 2, 3, 4]", "[1, 2]");
		Batch bad = create(upload("bad.jsonl", List.of(good, "", shortRow)).id(), "/v1/models/iris:predict");
		assertThat(bad.status()).isEqualTo(Batch.Status.FAILED);
		assertThat(bad.errors().orElseThrow().data().orElseThrow().get(0).line()).hasValue(3L);
		assertThat(bad.errors().orElseThrow().data().orElseThrow().get(0).code()).hasValue("invalid-instance");

		Batch otherUrl = create(upload("url.jsonl", List.of(good)).id(), "/v2/models/iris/infer");
		assertThat(otherUrl.errors().orElseThrow().data().orElseThrow().get(0).message().orElseThrow())
			.contains("not the batch's endpoint");
	}

	@Test
	void errorsComeInOpenAisShapeAndADeletedFileIsGone() throws Exception {
		assertThatExceptionOfType(NotFoundException.class)
			.isThrownBy(() -> this.openai.batches().retrieve("batch_nope"))
			.satisfies((ex) -> assertThat(ex.getMessage()).contains("Batch 'batch_nope' was not found"));
		assertThatExceptionOfType(UnauthorizedException.class)
			.isThrownBy(() -> client("bl_wrong").batches().retrieve("batch_nope"));
		FileObject file = upload("gone.jsonl", List.of("{}"));
		assertThat(this.openai.files().delete(file.id()).deleted()).isTrue();
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> this.openai.files().retrieve(file.id()));

		// a request body as the SDKs send it, read as OpenAI's error object
		HttpResponse<String> unknownEndpoint = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(this.api.url("/v1/batches")))
				.header("Authorization", "Bearer " + this.key)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\": \"file-x\", \"endpoint\": "
						+ "\"/v1/chat/completions\", \"completion_window\": \"24h\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(unknownEndpoint.statusCode()).isEqualTo(400);
		assertThat(unknownEndpoint.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode error = EventCodec.tree(unknownEndpoint.body().getBytes(StandardCharsets.UTF_8)).get("error");
		assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
		assertThat(error.get("code").asString()).isEqualTo("bad-request");
		assertThat(error.get("message").asString()).contains("/v1/models/{model}");
	}

	@Test
	void aCancelledBatchEndsCancelled() throws Exception {
		List<String> lines = IntStream.range(0, 30_000)
			.mapToObj((i) -> "{\"custom_id\": \"c-" + i
					+ "\", \"method\": \"POST\", \"url\": \"/v1/models/iris:predict\", " + "\"body\": {\"instances\": ["
					+ IrisModel.json(this.rows.get(i % this.rows.size())) + "]}}")
			.toList();
		Batch batch = create(upload("many.jsonl", lines).id(), "/v1/models/iris:predict");
		Batch cancelling = this.openai.batches().cancel(batch.id());
		assertThat(cancelling.status()).isIn(Batch.Status.CANCELLING, Batch.Status.CANCELLED);
		Batch cancelled = awaitStatus(batch.id(), Batch.Status.CANCELLED);
		assertThat(cancelled.cancelledAt()).isPresent();
		assertThat(cancelled.requestCounts().orElseThrow().total()).isEqualTo(30_000);
	}

	private Batch create(String fileId, String endpoint) {
		return this.openai.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(fileId)
				.endpoint(BatchCreateParams.Endpoint.of(endpoint))
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build());
	}

	private FileObject upload(String name, List<String> lines) throws IOException {
		Path file = this.files.resolve(name);
		Files.write(file, lines);
		return this.openai.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build());
	}

	private byte[] content(String fileId) throws IOException {
		try (com.openai.core.http.HttpResponse response = this.openai.files().content(fileId);
				InputStream body = response.body()) {
			return body.readAllBytes();
		}
	}

	private Batch awaitStatus(String id, Batch.Status status) {
		return await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.openai.batches().retrieve(id), (batch) -> batch.status().equals(status));
	}

	private static Map<String, JsonNode> byCustomId(byte[] jsonl) {
		return new String(jsonl, StandardCharsets.UTF_8).lines()
			.map((line) -> EventCodec.tree(line.getBytes(StandardCharsets.UTF_8)))
			.collect(Collectors.toMap((line) -> line.get("custom_id").asString(), (line) -> line));
	}

	private OpenAIClient client(String apiKey) {
		return OpenAIOkHttpClient.builder().apiKey(apiKey).baseUrl(this.api.url("/v1")).maxRetries(0).build();
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

}
