package dev.batchline.bench;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.grpc.ApiKeyCredentials;
import dev.batchline.contracts.grpc.inference.GRPCInferenceServiceGrpc;
import dev.batchline.contracts.grpc.inference.InferTensorContents;
import dev.batchline.contracts.grpc.inference.ModelInferRequest;
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
 * channel, one request after another) against one-row {@code POST
 * /v2/models/bench/infer} (one keep-alive connection), the same rows; and a
 * {@code SubmitJob} stream of the Iris items of scenario 2 ({@value #PER_MESSAGE} a
 * message, as instances and as packed NDJSON lines, paced by gRPC's flow control) against
 * the NDJSON {@code POST /v1/jobs} of the same items. Each job is cancelled as soon as it
 * is accepted, and the next submission waits until it is cancelled and its chunks are
 * published, so the worker (which must serve the model for a job to be accepted) only
 * skips chunks, between the measurements.
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
		List<byte[]> restRows = new ArrayList<>();
		List<ModelInferRequest> grpcRows = new ArrayList<>();
		for (int r = 0; r < ROWS; r++) {
			restRows.add(rest.infer(input, r, false));
			grpcRows.add(oneRow(input, r));
		}
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip = GRPCInferenceServiceGrpc
			.newBlockingStub(channel)
			.withCallCredentials(new ApiKeyCredentials(this.bench.api().key()));
		int requests = plan.quick() ? 200 : 500;
		List<Double> grpcP50 = new ArrayList<>();
		List<Double> restP50 = new ArrayList<>();
		List<Double> grpcP99 = new ArrayList<>();
		List<Double> restP99 = new ArrayList<>();
		URI api = URI.create(this.bench.api().url("/"));
		for (int round = 0; round <= plan.rounds(); round++) {
			int n = (round == 0) ? (plan.quick() ? WARM_UP / 5 : WARM_UP) : requests;
			long[] restNanos = new long[n];
			long[] grpcNanos = new long[n];
			// one request of each in turn, so that the machine's drift weighs on both
			// alike
			try (KeepAlive connection = new KeepAlive(api)) {
				for (int i = 0; i < n; i++) {
					long start = System.nanoTime();
					KeepAlive.Answer answer = connection.exchange(restRows.get(i % ROWS));
					restNanos[i] = System.nanoTime() - start;
					if (answer.status() != 200) {
						throw new IllegalStateException(
								"REST infer answered " + answer.status() + ": " + answer.text());
					}
					start = System.nanoTime();
					oip.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRows.get(i % ROWS));
					grpcNanos[i] = System.nanoTime() - start;
				}
			}
			Console.step(String.format(
					"%s round %d: 1-row ModelInfer p50 %.2f ms, p99 %.2f ms; REST infer p50 %.2f ms, p99 %.2f ms",
					SCENARIO, round, ms(grpcNanos, 50), ms(grpcNanos, 99), ms(restNanos, 50), ms(restNanos, 99)));
			if (round > 0) {
				grpcP50.add(ms(grpcNanos, 50));
				grpcP99.add(ms(grpcNanos, 99));
				restP50.add(ms(restNanos, 50));
				restP99.add(ms(restNanos, 99));
			}
		}
		this.bench.report()
			.ratioAtMost(SCENARIO, "1-row ModelInfer p50 vs REST infer p50", Stats.of(grpcP50), Stats.of(restP50),
					"%.2f", "ms", 1.0);
		this.bench.report()
			.ratio(SCENARIO, "1-row ModelInfer p99 vs REST infer p99", Stats.of(grpcP99), Stats.of(restP99), "%.2f",
					"ms", null);
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
					id = UUID.fromString(
							EventCodec.tree(posted.body().getBytes(StandardCharsets.UTF_8)).get("id").asString());
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
