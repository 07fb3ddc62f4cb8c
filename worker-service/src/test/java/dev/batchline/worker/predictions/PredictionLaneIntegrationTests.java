package dev.batchline.worker.predictions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.PredictionCall;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionReply;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.worker.WorkerApplication;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real worker's prediction lane over its HTTP port, as the api-service asks it: real
 * DJL inference on the bundled Iris model, concurrent calls predicted together, and each
 * request's outcome in the reply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionLaneIntegrationTests {

	/** The worker's {@code predict-queue}: requests waiting at most. */
	private static final int QUEUE = 64;

	private static final List<String> ROWS = List.of("[5.1,3.5,1.4,0.2]", "[6.3,2.5,5.0,1.9]", "[5.9,3.0,4.2,1.5]",
			"[4.9,3.0,1.4,0.2]", "[7.7,2.6,6.9,2.3]");

	private final HttpClient http = HttpClient.newHttpClient();

	private ConfigurableApplicationContext worker;

	private URI endpoint;

	@BeforeAll
	void startWorker() {
		this.worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
				"--batchline.topics.prefix=lane-it-" + UUID.randomUUID(), "--batchline.topics.partitions=1",
				"--batchline.worker.warmup=0s", "--batchline.worker.predict-queue=" + QUEUE, "--server.port=0");
		this.endpoint = URI.create("http://localhost:" + this.worker.getEnvironment().getProperty("local.server.port")
				+ PredictionCall.PATH);
	}

	@AfterAll
	void stopWorker() {
		this.worker.close();
	}

	@Test
	void concurrentOneRowRequestsArePredictedTogetherAndAnswerAsOneRequestWithEveryRow() throws Exception {
		PredictionCompleted all = predict(request("iris", "1", ROWS, Instant.now().plusSeconds(30)));
		assertThat(all.workerId()).isNotBlank();
		List<ItemResult> expected = all.results().toList();
		assertThat(expected).hasSize(ROWS.size()).allMatch((row) -> row.error() == null);
		// the first row is a setosa
		assertThat(expected.get(0).output().get("class_id").asLong()).isZero();

		double callsBefore = predictCalls();
		ExecutorService clients = Executors.newFixedThreadPool(32);
		try {
			List<Future<PredictionCompleted>> answers = new ArrayList<>();
			for (int i = 0; i < 320; i++) {
				String row = ROWS.get(i % ROWS.size());
				answers.add(clients
					.submit(() -> predict(request("iris", "1", List.of(row), Instant.now().plusSeconds(30)))));
			}
			for (int i = 0; i < answers.size(); i++) {
				ItemResult answer = answers.get(i).get(60, TimeUnit.SECONDS).results().toList().get(0);
				assertThat(answer.index()).isZero();
				assertThat(answer.output().get("class_id"))
					.isEqualTo(expected.get(i % ROWS.size()).output().get("class_id"));
			}
		}
		finally {
			clients.shutdownNow();
		}
		// fewer predict calls than requests: requests that waited together were batched
		assertThat(predictCalls() - callsBefore).isLessThan(320);
	}

	@Test
	void aModelTheWorkerDoesNotServeIsAnsweredRowByRowAsUnavailable() throws Exception {
		PredictionCompleted answer = predict(request("iris", "99", ROWS.subList(0, 2), Instant.now().plusSeconds(30)));
		assertThat(answer.results().toList()).hasSize(2)
			.allMatch((row) -> ItemError.MODEL_UNAVAILABLE.equals(row.error().code()));
	}

	@Test
	void oneCallOfManyRequestsAnswersEachByItsIdWithTheSameOutputsAsAloneInOnePredictCall() throws Exception {
		List<PredictionRequested> requests = new ArrayList<>();
		for (String row : ROWS) {
			requests.add(request("iris", "1", List.of(row), Instant.now().plusSeconds(30)));
		}
		List<ItemResult> alone = predict(request("iris", "1", ROWS, Instant.now().plusSeconds(30))).results().toList();
		double callsBefore = predictCalls();
		PredictionReply reply = call(requests);
		assertThat(predictCalls() - callsBefore).isEqualTo(1);
		assertThat(reply.refused()).isEmpty();
		assertThat(reply.expired()).isEmpty();
		assertThat(reply.answered()).extracting(PredictionCompleted::id)
			.containsExactlyElementsOf(requests.stream().map(PredictionRequested::id).toList());
		for (int i = 0; i < ROWS.size(); i++) {
			assertThat(reply.answered().get(i).results().toList().get(0).output()).isEqualTo(alone.get(i).output());
		}
	}

	@Test
	void requestsPastTheQueuesRoomAreRefusedAndOnesPastTheirDeadlineExpireByTheirIds() throws Exception {
		List<PredictionRequested> requests = new ArrayList<>();
		for (int i = 0; i < QUEUE + 36; i++) {
			requests.add(request("iris", "1", List.of(ROWS.get(0)), Instant.now().plusSeconds(30)));
		}
		PredictionReply crowded = call(requests);
		assertThat(crowded.answered()).hasSize(QUEUE);
		assertThat(crowded.refused()).containsExactlyElementsOf(
				requests.subList(QUEUE, requests.size()).stream().map(PredictionRequested::id).toList());

		PredictionRequested late = request("iris", "1", ROWS, Instant.now().minusSeconds(1));
		PredictionRequested timely = request("iris", "1", ROWS, Instant.now().plusSeconds(30));
		PredictionReply reply = call(List.of(late, timely));
		assertThat(reply.expired()).containsExactly(late.id());
		assertThat(reply.answered()).extracting(PredictionCompleted::id).containsExactly(timely.id());
	}

	@Test
	void aCallWithoutRequestsOrWithABadRequestIs400() throws Exception {
		assertThat(send(EventCodec.encode(new PredictionCall(List.of()))).statusCode()).isEqualTo(400);
		assertThat(send(EventCodec
			.encode(new PredictionCall(List.of(request("iris", "1", List.of(), Instant.now().plusSeconds(30))))))
			.statusCode()).isEqualTo(400);
		assertThat(send("{\"requests\":[{\"id\":\"x\"}]}".getBytes()).statusCode()).isEqualTo(400);
		assertThat(send("{\"id\":".getBytes()).statusCode()).isEqualTo(400);
	}

	private static PredictionRequested request(String model, String version, List<String> rows, Instant deadline) {
		List<JsonNode> instances = rows.stream().map((row) -> EventCodec.tree(row.getBytes())).toList();
		return new PredictionRequested(UUID.randomUUID().toString(), model, version, instances, deadline);
	}

	/** A call of one request: its answer. */
	private PredictionCompleted predict(PredictionRequested request) throws Exception {
		PredictionReply reply = call(List.of(request));
		assertThat(reply.answered()).hasSize(1);
		PredictionCompleted answer = reply.answered().get(0);
		assertThat(answer.id()).isEqualTo(request.id());
		return answer;
	}

	private PredictionReply call(List<PredictionRequested> requests) throws Exception {
		HttpResponse<byte[]> response = send(EventCodec.encode(new PredictionCall(requests)));
		assertThat(response.statusCode()).isEqualTo(200);
		return EventCodec.decode(response.body(), PredictionReply.class);
	}

	private HttpResponse<byte[]> send(byte[] body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(this.endpoint)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private double predictCalls() {
		var summary = this.worker.getBean(MeterRegistry.class)
			.find("batchline.worker.batch.size")
			.tag("lane", "predict")
			.summary();
		return (summary != null) ? summary.count() : 0;
	}

}
