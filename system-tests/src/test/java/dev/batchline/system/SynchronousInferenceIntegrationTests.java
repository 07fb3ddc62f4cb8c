package dev.batchline.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.google.protobuf.ByteString;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.grpc.ApiKeyCredentials;
import dev.batchline.contracts.grpc.inference.GRPCInferenceServiceGrpc;
import dev.batchline.contracts.grpc.inference.InferParameter;
import dev.batchline.contracts.grpc.inference.InferTensorContents;
import dev.batchline.contracts.grpc.inference.ModelInferRequest;
import dev.batchline.contracts.grpc.inference.ModelInferResponse;
import dev.batchline.contracts.grpc.inference.ModelReadyRequest;
import dev.batchline.contracts.grpc.inference.ServerReadyRequest;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Synchronous inference through the packaged api-service and two workers, against a real
 * PostgreSQL and Kafka, in the protocols as their specifications write them: the Open
 * Inference Protocol's REST API (KServe v2) and TensorFlow Serving's REST API. Every
 * answer is compared with DJL's own outputs on the same SavedModel, and with a batch job
 * on the same items. The tests that stop workers run last: a killed worker, then both
 * stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SynchronousInferenceIntegrationTests {

	private static final String ADMIN_TOKEN = "sync-admin-token";

	private static final Topics TOPICS = new Topics("sync");

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", ".."));

	private static final Offset<Double> CLOSE = Offset.offset(1e-5);

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ServiceProcess> services = new ArrayList<>();

	private ServiceProcess api;

	private List<ServiceProcess> workers;

	private String key;

	private List<float[]> rows;

	private IrisModel.Outputs expected;

	@BeforeAll
	void startPipeline() throws Exception {
		TestPostgres.Database database = TestPostgres.newDatabase();
		Map<String, String> common = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
				"BATCHLINE_TOPICS_PREFIX", TOPICS.prefix(), "BATCHLINE_TOPICS_PARTITIONS", "4");
		Map<String, String> apiEnv = new HashMap<>(common);
		apiEnv.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(), "BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN,
				"BATCHLINE_API_INFERENCE_MAX_ROWS", "200", "BATCHLINE_API_MODELS_IRIS_LABELS_STABLE", "1",
				// 400 requests from 32 clients outrun the default 100 per second
				"BATCHLINE_API_LIMITS_REQUESTS_PER_SECOND", "100000",
				// a killed worker's models are forgotten in 10 s, not 30 (three
				// heartbeats)
				"BATCHLINE_API_CATALOG_EXPIRE_AFTER", "10s"));
		Map<String, String> workerEnv = new HashMap<>(common);
		workerEnv.put("BATCHLINE_WORKER_ANNOUNCE_INTERVAL", "3s");
		this.api = track(PipelineEndToEndIntegrationTests.start("api-service", "sync-api-service", apiEnv));
		this.workers = List.of(
				track(PipelineEndToEndIntegrationTests.start("worker-service", "sync-worker-1", workerEnv)),
				track(PipelineEndToEndIntegrationTests.start("worker-service", "sync-worker-2", workerEnv)));
		this.api.awaitReady();
		this.workers.forEach(ServiceProcess::awaitReady);
		this.key = call("POST", "/v1/admin/tenants", ADMIN_TOKEN, "{\"name\":\"sync\"}").body()
			.get("api_key")
			.asString();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> get("/v2/health/ready", null).status() == 200
					&& get("/v2/models/iris/ready", this.key).status() == 200);
		this.rows = IrisModel.dataSet(ROOT);
		try (IrisModel model = IrisModel.load(ROOT)) {
			this.expected = model.predict(this.rows);
		}
	}

	@AfterAll
	void stopPipeline() {
		this.services.forEach(ServiceProcess::close);
	}

	@Test
	@Order(1)
	void healthAndMetadataAnswerAsTheOpenInferenceProtocolWritesThem() throws Exception {
		Answer live = get("/v2/health/live", null);
		assertThat(live.status()).isEqualTo(200);
		assertThat(live.body().get("live").asBoolean()).isTrue();
		assertThat(get("/v2/health/ready", null).body().get("ready").asBoolean()).isTrue();
		assertThat(get("/v2", this.key).body().get("name").asString()).isEqualTo("batchline");

		JsonNode metadata = get("/v2/models/iris", this.key).body();
		assertThat(metadata.get("name").asString()).isEqualTo("iris");
		assertThat(metadata.get("versions").get(0).asString()).isEqualTo("1");
		assertThat(metadata.get("platform").asString()).isEqualTo("tensorflow_savedmodel");
		assertThat(metadata.get("inputs").get(0).get("name").asString()).isEqualTo("features");
		assertThat(metadata.get("inputs").get(0).get("datatype").asString()).isEqualTo("FP32");
		assertThat(metadata.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,4]");
		assertThat(metadata.get("outputs").findValuesAsString("name")).containsExactly("class_id", "probabilities");
		assertThat(get("/v2/models/iris/versions/1", this.key).body().get("versions").toString()).isEqualTo("[\"1\"]");
		JsonNode ready = get("/v2/models/iris/versions/1/ready", this.key).body();
		assertThat(ready.get("ready").asBoolean()).isTrue();

		Answer unknown = get("/v2/models/nope", this.key);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.body().get("error").asString()).contains("nope");
		assertThat(get("/v2/models/iris", null).status()).isEqualTo(401);
	}

	@Test
	@Order(2)
	void anOpenInferenceProtocolInferEqualsDjlsOwnOutputsAndABatchJobsOnTheSameItems() throws Exception {
		// the protocol's example form: a flat row-major "data", the request id echoed
		String flat = this.rows.stream()
			.flatMap((row) -> java.util.stream.IntStream.range(0, 4).mapToObj((i) -> String.valueOf(row[i])))
			.collect(Collectors.joining(","));
		String body = "{\"id\":\"request-42\",\"inputs\":[{\"name\":\"features\",\"shape\":[" + this.rows.size()
				+ ",4],\"datatype\":\"FP32\",\"data\":[" + flat + "]}]}";
		Answer answer = call("POST", "/v2/models/iris/infer", this.key, body);
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		JsonNode response = answer.body();
		assertThat(response.get("model_name").asString()).isEqualTo("iris");
		assertThat(response.get("model_version").asString()).isEqualTo("1");
		assertThat(response.get("id").asString()).isEqualTo("request-42");
		JsonNode classes = output(response, "class_id");
		JsonNode probabilities = output(response, "probabilities");
		assertThat(classes.get("datatype").asString()).isEqualTo("INT64");
		assertThat(classes.get("shape").toString()).isEqualTo("[" + this.rows.size() + "]");
		assertThat(probabilities.get("datatype").asString()).isEqualTo("FP32");
		assertThat(probabilities.get("shape").toString()).isEqualTo("[" + this.rows.size() + ",3]");

		String jobBody = "{\"model\":\"iris\",\"instances\":["
				+ this.rows.stream().map(IrisModel::json).collect(Collectors.joining(",")) + "]}";
		String jobId = call("POST", "/v1/jobs", this.key, jobBody).body().get("id").asString();
		await().atMost(Duration.ofMinutes(1))
			.until(() -> get("/v1/jobs/" + jobId, this.key).body().get("state").asString().equals("SUCCEEDED"));
		JsonNode job = get("/v1/jobs/" + jobId + "/results?limit=1000", this.key).body().get("data");

		for (int i = 0; i < this.rows.size(); i++) {
			long djlClass = this.expected.classes()[i];
			assertThat(classes.get("data").get(i).asLong()).as("class of row %d", i).isEqualTo(djlClass);
			assertThat(job.get(i).get("output").get("class_id").asLong()).as("job class of row %d", i)
				.isEqualTo(djlClass);
			for (int c = 0; c < 3; c++) {
				double djl = this.expected.probabilities()[i][c];
				assertThat(probabilities.get("data").get(i * 3 + c).asDouble()).isCloseTo(djl, CLOSE);
				assertThat(job.get(i).get("output").get("probabilities").get(c).asDouble()).isCloseTo(djl, CLOSE);
			}
		}

		// nested "data" is the same tensor; "outputs" narrows the answer
		String nested = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":["
				+ IrisModel.json(this.rows.get(0)) + "]}],\"outputs\":[{\"name\":\"class_id\"}]}";
		JsonNode one = call("POST", "/v2/models/iris/versions/1/infer", this.key, nested).body();
		assertThat(one.get("outputs")).hasSize(1);
		assertThat(output(one, "class_id").get("data").get(0).asLong()).isEqualTo(this.expected.classes()[0]);
	}

	@Test
	@Order(3)
	void anOpenInferenceProtocolInferOverGrpcAnswersAsRestDoesTypedAndRaw() throws Exception {
		ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", this.api.grpcPort())
			.usePlaintext()
			.build();
		try {
			GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip = GRPCInferenceServiceGrpc
				.newBlockingStub(channel)
				.withCallCredentials(new ApiKeyCredentials(this.key))
				.withDeadlineAfter(30, TimeUnit.SECONDS);
			ModelInferRequest.InferInputTensor.Builder features = ModelInferRequest.InferInputTensor.newBuilder()
				.setName("features")
				.setDatatype("FP32")
				.addShape(this.rows.size())
				.addShape(4);
			ByteBuffer raw = ByteBuffer.allocate(this.rows.size() * 4 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
			InferTensorContents.Builder typed = InferTensorContents.newBuilder();
			for (float[] row : this.rows) {
				for (float value : row) {
					typed.addFp32Contents(value);
					raw.putFloat(value);
				}
			}
			ModelInferResponse typedAnswer = oip.modelInfer(ModelInferRequest.newBuilder()
				.setModelName("iris")
				.setId("grpc-42")
				.addInputs(features.clone().setContents(typed))
				.build());
			ModelInferResponse rawAnswer = oip.modelInfer(ModelInferRequest.newBuilder()
				.setModelName("iris")
				.setModelVersion("1")
				.addInputs(features)
				.addRawInputContents(ByteString.copyFrom(raw.flip()))
				.build());
			assertThat(typedAnswer.getId()).isEqualTo("grpc-42");
			assertThat(typedAnswer.getModelVersion()).isEqualTo("1");
			assertThat(rawAnswer.getRawOutputContentsCount()).isEqualTo(2);

			String flat = this.rows.stream()
				.flatMap((row) -> java.util.stream.IntStream.range(0, 4).mapToObj((i) -> String.valueOf(row[i])))
				.collect(Collectors.joining(","));
			JsonNode rest = call("POST", "/v2/models/iris/infer", this.key,
					"{\"inputs\":[{\"name\":\"features\",\"shape\":[" + this.rows.size()
							+ ",4],\"datatype\":\"FP32\",\"data\":[" + flat + "]}]}")
				.body();
			for (int o = 0; o < 2; o++) {
				ModelInferResponse.InferOutputTensor output = typedAnswer.getOutputs(o);
				JsonNode restOutput = output(rest, output.getName());
				assertThat(output.getDatatype()).isEqualTo(restOutput.get("datatype").asString());
				assertThat(rawAnswer.getOutputs(o).getShapeList()).isEqualTo(output.getShapeList());
				assertThat(output.getShapeList().toString().replace(" ", ""))
					.isEqualTo(restOutput.get("shape").toString());
			}
			ByteBuffer rawClasses = rawAnswer.getRawOutputContents(0)
				.asReadOnlyByteBuffer()
				.order(ByteOrder.LITTLE_ENDIAN);
			ByteBuffer rawProbabilities = rawAnswer.getRawOutputContents(1)
				.asReadOnlyByteBuffer()
				.order(ByteOrder.LITTLE_ENDIAN);
			for (int i = 0; i < this.rows.size(); i++) {
				long djlClass = this.expected.classes()[i];
				assertThat(typedAnswer.getOutputs(0).getContents().getInt64Contents(i)).isEqualTo(djlClass);
				assertThat(rawClasses.getLong()).isEqualTo(djlClass);
				assertThat(output(rest, "class_id").get("data").get(i).asLong()).isEqualTo(djlClass);
				for (int c = 0; c < 3; c++) {
					float value = typedAnswer.getOutputs(1).getContents().getFp32Contents(i * 3 + c);
					assertThat((double) value).isCloseTo(this.expected.probabilities()[i][c], CLOSE);
					assertThat(rawProbabilities.getFloat()).isEqualTo(value);
					assertThat((float) output(rest, "probabilities").get("data").get(i * 3 + c).asDouble())
						.isEqualTo(value);
				}
			}

			ModelInferRequest one = ModelInferRequest.newBuilder()
				.setModelName("iris")
				.addInputs(features.clone()
					.clearShape()
					.addShape(1)
					.addShape(4)
					.setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f, 4f))))
				.build();
			assertCode(() -> oip.modelInfer(one.toBuilder().setModelName("nope").build()), Status.Code.NOT_FOUND,
					"nope");
			assertCode(
					() -> oip.modelInfer(
							one.toBuilder().setInputs(0, one.getInputs(0).toBuilder().setDatatype("INT32")).build()),
					Status.Code.INVALID_ARGUMENT, "datatype");
			assertCode(
					() -> oip
						.modelInfer(one.toBuilder().setInputs(0, one.getInputs(0).toBuilder().addShape(2)).build()),
					Status.Code.INVALID_ARGUMENT, "shape");
			assertCode(
					() -> oip.modelInfer(one.toBuilder().addRawInputContents(ByteString.copyFrom(new byte[3])).build()),
					Status.Code.INVALID_ARGUMENT, "raw_input_contents");
			assertCode(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(one),
					Status.Code.UNAUTHENTICATED, "authorization");
			assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel)
				.serverReady(ServerReadyRequest.getDefaultInstance())
				.getReady()).isTrue();
			assertThat(
					oip.modelReady(ModelReadyRequest.newBuilder().setName("iris").setVersion("1").build()).getReady())
				.isTrue();
		}
		finally {
			channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Status.Code code,
			String detailPart) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call).satisfies((ex) -> {
			assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString()).isEqualTo(code);
			assertThat(ex.getStatus().getDescription()).containsIgnoringCase(detailPart);
		});
	}

	@Test
	@Order(4)
	void tensorFlowServingsRowAndColumnarFormatsAnswerTheModelsOutputs() throws Exception {
		// as TensorFlow Serving's own examples post it: curl -d, a form content type
		List<float[]> three = this.rows.subList(0, 3);
		String instances = "{\"instances\":[" + three.stream().map(IrisModel::json).collect(Collectors.joining(","))
				+ "]}";
		HttpResponse<byte[]> form = this.http
			.send(HttpRequest.newBuilder(URI.create(this.api.url("/v1/models/iris:predict")))
				.header("Authorization", "Bearer " + this.key)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(instances))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(form.statusCode()).as(new String(form.body())).isEqualTo(200);
		assertThat(form.headers().firstValue("Batchline-Model-Version")).hasValue("1");
		JsonNode predictions = EventCodec.tree(form.body()).get("predictions");
		assertThat(predictions).hasSize(3);
		for (int i = 0; i < 3; i++) {
			assertThat(predictions.get(i).get("class_id").asLong()).isEqualTo(this.expected.classes()[i]);
			assertThat(predictions.get(i).get("probabilities").get(1).asDouble())
				.isCloseTo(this.expected.probabilities()[i][1], CLOSE);
		}

		String columnar = "{\"inputs\":{\"features\":["
				+ three.stream().map(IrisModel::json).collect(Collectors.joining(",")) + "]}}";
		JsonNode outputs = call("POST", "/v1/models/iris/versions/1:predict", this.key, columnar).body().get("outputs");
		assertThat(outputs.get("class_id")).hasSize(3);
		assertThat(outputs.get("class_id").get(2).asLong()).isEqualTo(this.expected.classes()[2]);
		assertThat(outputs.get("probabilities").get(2).get(0).asDouble()).isCloseTo(this.expected.probabilities()[2][0],
				CLOSE);

		Answer labelled = call("POST", "/v1/models/iris/labels/stable:predict", this.key, instances);
		assertThat(labelled.status()).isEqualTo(200);
		assertThat(labelled.headers().get("Batchline-Model-Label")).isEqualTo("stable");
		assertThat(labelled.headers().get("Batchline-Model-Version")).isEqualTo("1");
		assertThat(labelled.body().get("predictions")).isEqualTo(EventCodec.tree(form.body()).get("predictions"));

		JsonNode status = get("/v1/models/iris/versions/1", this.key).body();
		assertThat(status.at("/model_version_status/0/state").asString()).isEqualTo("AVAILABLE");
		JsonNode metadata = get("/v1/models/iris/metadata", this.key).body();
		assertThat(metadata.at("/model_spec/version").asString()).isEqualTo("1");
		assertThat(
				metadata.at("/metadata/signature_def/signature_def/serving_default/inputs/features/dtype").asString())
			.isEqualTo("DT_FLOAT");
	}

	@Test
	@Order(5)
	void badRequestsAreClearErrorsInEachProtocolsForm() throws Exception {
		Answer shape = call("POST", "/v2/models/iris/infer", this.key,
				"{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
		assertThat(shape.status()).isEqualTo(400);
		assertThat(shape.body().get("error").asString()).contains("row 0");
		Answer datatype = call("POST", "/v2/models/iris/infer", this.key,
				"{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP64\",\"data\":[1,2,3,4]}]}");
		assertThat(datatype.status()).isEqualTo(400);
		assertThat(datatype.body().get("error").asString()).contains("FP32");
		Answer count = call("POST", "/v2/models/iris/infer", this.key,
				"{\"inputs\":[{\"name\":\"features\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
		assertThat(count.status()).isEqualTo(400);
		assertThat(call("POST", "/v2/models/iris/infer", this.key, "{not json").status()).isEqualTo(400);
		assertThat(call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[[1,2,3]]}").body()
			.get("error")
			.asString()).contains("row 0");
		assertThat(call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[],\"inputs\":[]}").status())
			.isEqualTo(400);
		Answer unknown = call("POST", "/v1/models/nope:predict", this.key, "{\"instances\":[[1,2,3,4]]}");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.body().get("error").asString()).contains("nope");
		String tooMany = "{\"instances\":[" + String.join(",", java.util.Collections.nCopies(201, "[1,2,3,4]")) + "]}";
		assertThat(call("POST", "/v1/models/iris:predict", this.key, tooMany).status()).isEqualTo(413);
		assertThat(call("POST", "/v1/models/iris:predict", "wrong-key", "{\"instances\":[[1,2,3,4]]}").status())
			.isEqualTo(401);
		Answer timeout = call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[[1,2,3,4]]}",
				Map.of("Batchline-Timeout-Ms", "999999999"));
		assertThat(timeout.status()).isEqualTo(400);
	}

	@Test
	@Order(6)
	void concurrentRequestsArePredictedTogether() throws Exception {
		double before = predictLaneBatches();
		double callsBefore = metric(this.api, "batchline_api_inference_call_size_count", "");
		double requestsBefore = metric(this.api, "batchline_api_inference_call_size_sum", "");
		ExecutorService clients = Executors.newFixedThreadPool(32);
		try {
			List<Future<Answer>> answers = new ArrayList<>();
			for (int i = 0; i < 400; i++) {
				String row = IrisModel.json(this.rows.get(i % this.rows.size()));
				answers.add(clients
					.submit(() -> call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[" + row + "]}")));
			}
			for (int i = 0; i < answers.size(); i++) {
				Answer answer = answers.get(i).get();
				assertThat(answer.status()).isEqualTo(200);
				assertThat(answer.body().get("predictions").get(0).get("class_id").asLong())
					.isEqualTo(this.expected.classes()[i % this.rows.size()]);
			}
		}
		finally {
			clients.shutdownNow();
		}
		// 400 one-row requests in fewer predict calls than requests: rows were batched
		assertThat(predictLaneBatches() - before).isLessThan(400);
		// and went to the workers in fewer calls: requests were gathered
		assertThat(metric(this.api, "batchline_api_inference_call_size_sum", "") - requestsBefore).isEqualTo(400);
		assertThat(metric(this.api, "batchline_api_inference_call_size_count", "") - callsBefore).isLessThan(400);
	}

	@Test
	@Order(7)
	void aCachedPredictionIsAnsweredWithoutAWorker() throws Exception {
		String request = "{\"instances\":[[5.9,3.0,5.1,1.8]]}";
		Answer first = call("POST", "/v1/models/iris:predict?cache=true", this.key, request);
		assertThat(first.status()).isEqualTo(200);
		assertThat(first.headers().get("Batchline-Cache")).isEqualTo("miss");
		this.workers.forEach(ServiceProcess::suspend);
		try {
			// the same input written otherwise: members and numbers in another form
			Answer again = call("POST", "/v1/models/iris:predict?cache=true", this.key,
					"{\"instances\":[[5.90,3,5.1e0,1.80]]}", Map.of("Batchline-Timeout-Ms", "2000"));
			assertThat(again.status()).isEqualTo(200);
			assertThat(again.headers().get("Batchline-Cache")).isEqualTo("hit");
			assertThat(again.body().get("predictions")).isEqualTo(first.body().get("predictions"));
			// without the cache the same request waits for a worker, and times out
			long start = System.nanoTime();
			Answer uncached = call("POST", "/v1/models/iris:predict", this.key, request,
					Map.of("Batchline-Timeout-Ms", "1500"));
			assertThat(uncached.status()).isEqualTo(504);
			assertThat(uncached.body().get("error").asString()).contains("1500 ms");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			// over gRPC, which waits for the workers without a thread: its request's
			// timeout parameter (microseconds, as Triton's clients send it) ends it too
			ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", this.api.grpcPort())
				.usePlaintext()
				.build();
			try {
				start = System.nanoTime();
				assertCode(
						() -> GRPCInferenceServiceGrpc.newBlockingStub(channel)
							.withCallCredentials(new ApiKeyCredentials(this.key))
							.withDeadlineAfter(30, TimeUnit.SECONDS)
							.modelInfer(ModelInferRequest.newBuilder()
								.setModelName("iris")
								.putParameters("timeout", InferParameter.newBuilder().setInt64Param(1_500_000).build())
								.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
									.setName("features")
									.setDatatype("FP32")
									.addShape(1)
									.addShape(4)
									.setContents(InferTensorContents.newBuilder()
										.addAllFp32Contents(List.of(5.9f, 3f, 5.1f, 1.8f))))
								.build()),
						Status.Code.DEADLINE_EXCEEDED, "1500 ms");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			}
			finally {
				channel.shutdownNow();
			}
		}
		finally {
			this.workers.forEach(ServiceProcess::resume);
		}
		assertThat(call("POST", "/v1/models/iris:predict", this.key, request).status()).isEqualTo(200);
	}

	@Test
	@Order(8)
	void aWorkerKilledMidRequestLeavesNoRequestHanging() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(8);
		List<Future<Answer>> answers = new ArrayList<>();
		try {
			for (int i = 0; i < 300; i++) {
				answers.add(clients.submit(() -> call("POST", "/v1/models/iris:predict", this.key,
						"{\"instances\":[[6.3,2.5,5.0,1.9]]}", Map.of("Batchline-Timeout-Ms", "3000"))));
				if (i == 50) {
					this.workers.get(1).kill();
				}
			}
			for (Future<Answer> answer : answers) {
				// every request ends, within its timeout: an answer, or 504
				Answer done = answer.get(20, java.util.concurrent.TimeUnit.SECONDS);
				assertThat(done.status()).isIn(200, 504);
				if (done.status() == 200) {
					assertThat(done.body().get("predictions")).hasSize(1);
				}
			}
		}
		finally {
			clients.shutdownNow();
		}
		// the survivor answers everything: the dead worker is passed over until its
		// announcements expire
		await().atMost(Duration.ofSeconds(60))
			.until(() -> call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[[6.3,2.5,5.0,1.9]]}",
					Map.of("Batchline-Timeout-Ms", "1000"))
				.status() == 200);
	}

	@Test
	@Order(9)
	void aModelWhoseWorkersStoppedIsUnavailableNotUnknown() throws Exception {
		this.workers.forEach(ServiceProcess::close);
		await().atMost(Duration.ofSeconds(60)).until(() -> get("/v2/models/iris/ready", this.key).status() == 503);
		Answer infer = call("POST", "/v2/models/iris/infer", this.key,
				"{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
		assertThat(infer.status()).isEqualTo(503);
		assertThat(infer.headers()).containsKey("Retry-After");
		assertThat(infer.body().get("error").asString()).contains("No worker serves");
		assertThat(call("POST", "/v1/models/iris:predict", this.key, "{\"instances\":[[1,2,3,4]]}").status())
			.isEqualTo(503);
		assertThat(get("/v2/health/ready", null).status()).isEqualTo(400);
		assertThat(get("/v2/models/nope", this.key).status()).isEqualTo(404);
	}

	private static JsonNode output(JsonNode response, String name) {
		for (JsonNode output : response.get("outputs")) {
			if (output.get("name").asString().equals(name)) {
				return output;
			}
		}
		throw new AssertionError("no output " + name + " in " + response);
	}

	private double predictLaneBatches() throws IOException, InterruptedException {
		double count = 0;
		for (ServiceProcess worker : this.workers) {
			count += metric(worker, "batchline_worker_batch_size_count", "lane=\"predict\"");
		}
		return count;
	}

	/** The sum of a service's Prometheus samples of a name with a label. */
	private double metric(ServiceProcess service, String name, String label) throws IOException, InterruptedException {
		String metrics = this.http
			.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/actuator/prometheus"))).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		return metrics.lines()
			.filter((line) -> line.startsWith(name) && line.contains(label))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

	private Answer get(String path, String token) throws IOException {
		return call("GET", path, token, null);
	}

	private Answer call(String method, String path, String token, String json) throws IOException {
		return call(method, path, token, json, Map.of());
	}

	private Answer call(String method, String path, String token, String json, Map<String, String> headers)
			throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.api.url(path)))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		headers.forEach(request::header);
		request.method(method,
				(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		try {
			HttpResponse<byte[]> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			Map<String, String> answerHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			response.headers().map().forEach((name, values) -> answerHeaders.put(name, values.get(0)));
			JsonNode body = (response.body().length > 0) ? EventCodec.tree(response.body()) : null;
			return new Answer(response.statusCode(), body, answerHeaders);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	/** An answer: status, JSON body, headers (names in any case). */
	private record Answer(int status, JsonNode body, Map<String, String> headers) {
	}

}
