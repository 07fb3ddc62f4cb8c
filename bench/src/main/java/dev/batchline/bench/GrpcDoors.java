package dev.batchline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.grpc.ApiKeyCredentials;
import dev.batchline.contracts.grpc.inference.GRPCInferenceServiceGrpc;
import dev.batchline.contracts.grpc.inference.InferTensorContents;
import dev.batchline.contracts.grpc.inference.ModelInferRequest;
import dev.batchline.contracts.grpc.inference.ServerLiveRequest;
import dev.batchline.contracts.grpc.jobs.ItemBatch;
import dev.batchline.contracts.grpc.jobs.Job;
import dev.batchline.contracts.grpc.jobs.JobSpec;
import dev.batchline.contracts.grpc.jobs.JobsGrpc;
import dev.batchline.contracts.grpc.jobs.SubmitJobRequest;
import dev.batchline.launcher.Console;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 9: each gRPC door beside its REST twin in the same rounds. One-row
 * {@code ModelInfer} of the bench model ({@code inference.GRPCInferenceService}, one
 * channel of grpc-java, one request after another) against one-row {@code POST
 * /v2/models/bench/infer} of the same rows, sent twice: through the JDK's own
 * {@code java.net.http} client (the target: a stock client against a stock client), and
 * on a raw keep-alive socket (as cheap as an HTTP client gets). {@code ServerLive}
 * against {@code GET /v2/health/live} on that socket is what the transport costs with no
 * work behind it. Then a {@code SubmitJob} stream of the Iris items of scenario 2
 * ({@value #PER_MESSAGE} a message, as instances and as packed NDJSON lines, paced by
 * gRPC's flow control) against the NDJSON {@code POST /v1/jobs} of the same items. Each
 * job is cancelled as soon as it is accepted, and the next submission waits until it is
 * cancelled and its chunks are published, so the worker (which must serve the model for a
 * job to be accepted) only skips chunks, between the measurements.
 */
final class GrpcDoors {

	static final String SCENARIO = "9 gRPC";

	/** Instances per {@code ItemBatch} message. */
	static final int PER_MESSAGE = 10_000;

	private static final int ROWS = 16;

	/**
	 * Requests of each door in the warm-up round: scenario 7 has warmed the REST door
	 * with thousands, and the gRPC door's first thousands still run partly interpreted.
	 */
	private static final int WARM_UP = 5_000;

	private final Bench bench;

	GrpcDoors(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", this.bench.api().service().grpcPort())
			.usePlaintext()
			.maxInboundMessageSize(64 * 1024 * 1024)
			.build();
		try {
			latency(channel);
			intake(channel);
		}
		finally {
			channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	private void latency(ManagedChannel channel) throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		SynchronousInference rest = new SynchronousInference(this.bench);
		rest.awaitReady();
		String input = this.bench.api()
			.get("/v2/models/" + BenchmarkModel.NAME)
			.get("inputs")
			.get(0)
			.get("name")
			.asString();
		URI api = URI.create(this.bench.api().url("/"));
		List<byte[]> socketRows = new ArrayList<>();
		List<HttpRequest> stockRows = new ArrayList<>();
		List<ModelInferRequest> grpcRows = new ArrayList<>();
		for (int r = 0; r < ROWS; r++) {
			socketRows.add(rest.infer(input, r, false));
			stockRows.add(HttpRequest.newBuilder(api.resolve("/v2/models/" + BenchmarkModel.NAME + "/infer"))
				.header("Authorization", "Bearer " + this.bench.api().key())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(SynchronousInference.oneRow(input, r)))
				.build());
			grpcRows.add(oneRow(input, r));
		}
		byte[] restLive = KeepAlive.request(api, "GET", "/v2/health/live", Map.of(), null);
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub health = GRPCInferenceServiceGrpc
			.newBlockingStub(channel);
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip = health
			.withCallCredentials(new ApiKeyCredentials(this.bench.api().key()));
		HttpClient stock = this.bench.api().http();
		int requests = plan.quick() ? 200 : 500;
		Latencies grpc = new Latencies();
		Latencies stockRest = new Latencies();
		Latencies socketRest = new Latencies();
		Latencies grpcLive = new Latencies();
		Latencies socketLive = new Latencies();
		for (int round = 0; round <= plan.rounds(); round++) {
			int n = (round == 0) ? (plan.quick() ? WARM_UP / 5 : WARM_UP) : requests;
			long[][] nanos = new long[5][n];
			// one request of each in turn, so that the machine's drift weighs on all
			// alike
			try (KeepAlive connection = new KeepAlive(api)) {
				for (int i = 0; i < n; i++) {
					long start = System.nanoTime();
					oip.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRows.get(i % ROWS));
					nanos[0][i] = System.nanoTime() - start;
					start = System.nanoTime();
					HttpResponse<byte[]> answer = stock.send(stockRows.get(i % ROWS),
							HttpResponse.BodyHandlers.ofByteArray());
					nanos[1][i] = System.nanoTime() - start;
					expectOk(answer.statusCode(), answer.body());
					start = System.nanoTime();
					KeepAlive.Answer raw = connection.exchange(socketRows.get(i % ROWS));
					nanos[2][i] = System.nanoTime() - start;
					expectOk(raw.status(), raw.body());
					start = System.nanoTime();
					health.serverLive(ServerLiveRequest.getDefaultInstance());
					nanos[3][i] = System.nanoTime() - start;
					start = System.nanoTime();
					connection.exchange(restLive);
					nanos[4][i] = System.nanoTime() - start;
				}
			}
			Console.step(String.format(
					"%s round %d: 1-row infer p50 (p99) ms: ModelInfer %.2f (%.2f), REST through java.net.http %.2f (%.2f),"
							+ " REST on a raw socket %.2f (%.2f); ServerLive %.2f, GET /v2/health/live %.2f",
					SCENARIO, round, ms(nanos[0], 50), ms(nanos[0], 99), ms(nanos[1], 50), ms(nanos[1], 99),
					ms(nanos[2], 50), ms(nanos[2], 99), ms(nanos[3], 50), ms(nanos[4], 50)));
			if (round > 0) {
				grpc.add(nanos[0]);
				stockRest.add(nanos[1]);
				socketRest.add(nanos[2]);
				grpcLive.add(nanos[3]);
				socketLive.add(nanos[4]);
			}
		}
		Report report = this.bench.report();
		report.ratioAtMost(SCENARIO, "1-row ModelInfer p50 vs REST infer p50, stock clients (grpc-java, java.net.http)",
				Stats.of(grpc.p50), Stats.of(stockRest.p50), "%.2f", "ms", 1.0);
		report.ratio(SCENARIO, "1-row ModelInfer p99 vs REST infer p99, stock clients", Stats.of(grpc.p99),
				Stats.of(stockRest.p99), "%.2f", "ms", null);
		report.ratio(SCENARIO, "1-row ModelInfer p50 vs REST infer p50 on a raw HTTP/1.1 socket", Stats.of(grpc.p50),
				Stats.of(socketRest.p50), "%.2f", "ms", null);
		report.ratio(SCENARIO, "transport: ServerLive p50 vs GET /v2/health/live p50 on a raw socket",
				Stats.of(grpcLive.p50), Stats.of(socketLive.p50), "%.2f", "ms", null);
	}

	private static void expectOk(int status, byte[] body) {
		if (status != 200) {
			throw new IllegalStateException(
					"REST infer answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
		}
	}

	/** The p50s and p99s of a door's measured rounds. */
	private static final class Latencies {

		final List<Double> p50 = new ArrayList<>();

		final List<Double> p99 = new ArrayList<>();

		void add(long[] nanos) {
			this.p50.add(ms(nanos, 50));
			this.p99.add(ms(nanos, 99));
		}

	}

	private void intake(ManagedChannel channel) throws Exception {
		Plan plan = this.bench.plan();
		Intake ndjson = new Intake(this.bench);
		List<String> lines = ndjson.lines(plan.intakeItems());
		byte[] body = String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8);
		SubmitJobRequest spec = SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setModel("iris")).build();
		List<SubmitJobRequest> perInstance = new ArrayList<>(List.of(spec));
		List<SubmitJobRequest> packed = new ArrayList<>(List.of(spec));
		for (int from = 0; from < lines.size(); from += PER_MESSAGE) {
			List<String> part = lines.subList(from, Math.min(lines.size(), from + PER_MESSAGE));
			perInstance.add(SubmitJobRequest.newBuilder()
				.setItems(ItemBatch.newBuilder().addAllInstances(part.stream().map(ByteString::copyFromUtf8).toList()))
				.build());
			packed.add(SubmitJobRequest.newBuilder()
				.setItems(ItemBatch.newBuilder().setNdjson(ByteString.copyFromUtf8(String.join("\n", part) + "\n")))
				.build());
		}
		JobsGrpc.JobsStub jobs = JobsGrpc.newStub(channel)
			.withCallCredentials(new ApiKeyCredentials(this.bench.api().key()));
		List<List<Double>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
		String[] doors = { "NDJSON POST", "SubmitJob, instances", "SubmitJob, packed NDJSON" };
		for (int round = 0; round <= plan.rounds(); round++) {
			double[] rate = new double[3];
			// each door goes first in turn
			for (int turn = 0; turn < 3; turn++) {
				int door = (round + turn) % 3;
				long start = System.nanoTime();
				UUID id;
				if (door == 0) {
					HttpResponse<String> posted = ndjson.postNdjson(body);
					if (posted.statusCode() != 202) {
						throw new IllegalStateException("the NDJSON POST answered " + posted.statusCode() + ": "
								+ posted.body().substring(0, Math.min(200, posted.body().length())));
					}
					id = Intake.jobId(posted);
				}
				else {
					Job job = submit(jobs, (door == 1) ? perInstance : packed);
					if (job.getCounts().getTotal() != lines.size()) {
						throw new IllegalStateException("SubmitJob stored " + job.getCounts().getTotal() + " items");
					}
					id = UUID.fromString(job.getId());
				}
				rate[door] = lines.size() / ((System.nanoTime() - start) / 1e9);
				this.bench.api().cancelAndSettle(id);
			}
			Console.step(String.format("%s round %d: %,d items: %s %,.0f, %s %,.0f, %s %,.0f items/s", SCENARIO, round,
					lines.size(), doors[0], rate[0], doors[1], rate[1], doors[2], rate[2]));
			if (round > 0) {
				for (int door = 0; door < 3; door++) {
					rates.get(door).add(rate[door]);
				}
			}
		}
		for (int door = 1; door < 3; door++) {
			this.bench.report()
				.ratio(SCENARIO, String.format("%s of %,d items vs NDJSON POST", doors[door], lines.size()),
						Stats.of(rates.get(door)), Stats.of(rates.get(0)), "%,.0f", "items/s", 0.8);
		}
	}

	/** Streams the messages as fast as the server takes them; the queued job. */
	private static Job submit(JobsGrpc.JobsStub jobs, List<SubmitJobRequest> messages) throws Exception {
		CompletableFuture<Job> answer = new CompletableFuture<>();
		Object ready = new Object();
		CompletableFuture<ClientCallStreamObserver<SubmitJobRequest>> call = new CompletableFuture<>();
		StreamObserver<SubmitJobRequest> requests = jobs.submitJob(new ClientResponseObserver<SubmitJobRequest, Job>() {

			@Override
			public void beforeStart(ClientCallStreamObserver<SubmitJobRequest> stream) {
				stream.setOnReadyHandler(() -> {
					synchronized (ready) {
						ready.notifyAll();
					}
				});
				call.complete(stream);
			}

			@Override
			public void onNext(Job job) {
				answer.complete(job);
			}

			@Override
			public void onError(Throwable failure) {
				answer.completeExceptionally(failure);
			}

			@Override
			public void onCompleted() {
			}

		});
		ClientCallStreamObserver<SubmitJobRequest> stream = call.join();
		for (SubmitJobRequest message : messages) {
			synchronized (ready) {
				while (!stream.isReady() && !answer.isDone()) {
					ready.wait(10);
				}
			}
			if (answer.isDone()) {
				break;
			}
			requests.onNext(message);
		}
		requests.onCompleted();
		return answer.get(10, TimeUnit.MINUTES);
	}

	private static ModelInferRequest oneRow(String input, long row) {
		InferTensorContents.Builder contents = InferTensorContents.newBuilder();
		for (JsonNode value : EventCodec.tree(BenchmarkModel.instance(row).getBytes(StandardCharsets.UTF_8))) {
			contents.addFp32Contents(value.floatValue());
		}
		return ModelInferRequest.newBuilder()
			.setModelName(BenchmarkModel.NAME)
			.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
				.setName(input)
				.setDatatype("FP32")
				.addShape(1)
				.addShape(BenchmarkModel.INPUTS)
				.setContents(contents))
			.build();
	}

	private static double ms(long[] nanos, double p) {
		return Stats.percentile(nanos, p) / 1e6;
	}

}
