package dev.batchline.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.grpc.ApiKeyCredentials;
import dev.batchline.contracts.grpc.inference.GRPCInferenceServiceGrpc;
import dev.batchline.contracts.grpc.inference.ModelMetadataRequest;
import dev.batchline.contracts.grpc.inference.ModelMetadataResponse;
import dev.batchline.contracts.grpc.inference.ServerLiveRequest;
import dev.batchline.contracts.grpc.jobs.CancelJobRequest;
import dev.batchline.contracts.grpc.jobs.GetJobRequest;
import dev.batchline.contracts.grpc.jobs.ItemBatch;
import dev.batchline.contracts.grpc.jobs.ItemResult;
import dev.batchline.contracts.grpc.jobs.Job;
import dev.batchline.contracts.grpc.jobs.JobEvent;
import dev.batchline.contracts.grpc.jobs.JobSpec;
import dev.batchline.contracts.grpc.jobs.JobState;
import dev.batchline.contracts.grpc.jobs.JobsGrpc;
import dev.batchline.contracts.grpc.jobs.ListJobsRequest;
import dev.batchline.contracts.grpc.jobs.ListJobsResponse;
import dev.batchline.contracts.grpc.jobs.StreamResultsRequest;
import dev.batchline.contracts.grpc.jobs.SubmitJobRequest;
import dev.batchline.contracts.grpc.jobs.WatchJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The gRPC front door with stock grpc-java stubs generated from the published
 * {@code .proto} files, against the real PostgreSQL and Kafka: the jobs service answers
 * what the REST API answers for the same jobs and rows, streams in and out, and refuses
 * bad input and other tenants' jobs with the status codes the protocol names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.chunk-max-items=500",
				"batchline.topics.prefix=grpc-it", "batchline.topics.partitions=2",
				"batchline.api.events.poll-interval=100ms", "batchline.api.events.progress-interval=100ms" })
class GrpcIntegrationTests extends ApiIntegrationTest {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Autowired
	private GrpcServerLifecycle grpcServer;

	private ManagedChannel channel;

	GrpcIntegrationTests() {
		super("grpc-it", null);
	}

	@BeforeAll
	void openChannel() {
		this.channel = NettyChannelBuilder.forAddress("localhost", this.grpcServer.getPort()).usePlaintext().build();
	}

	@AfterAll
	void closeChannel() throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
	}

	@Test
	void aJobStreamedInIsTheJobRestShowsAndItsEventsAndResultsStreamOutInOrder() throws Exception {
		Job submitted = submit(this.api.token(),
				JobSpec.newBuilder()
					.setModel("iris")
					.setMetadata(com.google.protobuf.Struct.newBuilder()
						.putFields("batch", com.google.protobuf.Value.newBuilder().setStringValue("g").build()))
					.build(),
				1200, 250);
		assertThat(submitted.getState()).isEqualTo(JobState.JOB_STATE_QUEUED);
		assertThat(submitted.getCounts().getTotal()).isEqualTo(1200);
		JsonNode rest = this.api.get("/v1/jobs/" + submitted.getId()).json();
		assertSameJob(jobs(this.api.token()).getJob(GetJobRequest.newBuilder().setId(submitted.getId()).build()), rest);

		// the items arrived in order: chunk 1 starts with item 500, whose first feature
		// is
		// its index
		List<ChunkSubmitted> chunks = this.workers.chunksOf(UUID.fromString(submitted.getId()), 3);
		assertThat(chunks.get(1).firstIndex()).isEqualTo(500);
		assertThat(chunks.get(1).instances().get(0).get(0).asDouble()).isEqualTo(500.0);

		Iterator<JobEvent> events = jobs(this.api.token()).withDeadlineAfter(60, TimeUnit.SECONDS)
			.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build());
		JobEvent first = events.next();
		assertThat(first.getState().getTo()).isEqualTo(JobState.JOB_STATE_QUEUED);
		this.workers.publishResults(chunks.stream().map((chunk) -> WorkerSide.echo(chunk, 777)).toList());
		List<JobEvent> rest1 = new ArrayList<>();
		events.forEachRemaining(rest1::add);
		JobEvent last = rest1.get(rest1.size() - 1);
		assertThat(last.getState().getTo()).isEqualTo(JobState.JOB_STATE_PARTIALLY_SUCCEEDED);
		assertThat(rest1).filteredOn(JobEvent::hasProgress).isNotEmpty();
		assertThat(rest1.stream()
			.filter(JobEvent::hasProgress)
			.reduce((a, b) -> b)
			.orElseThrow()
			.getProgress()
			.getFailed()).isEqualTo(1);
		// ids grow, and resuming after the last one ends at once
		Iterator<JobEvent> resumed = jobs(this.api.token())
			.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).setAfterEventId(last.getId()).build());
		assertThat(resumed.hasNext()).isFalse();

		List<ItemResult> results = new ArrayList<>();
		jobs(this.api.token()).streamResults(StreamResultsRequest.newBuilder().setId(submitted.getId()).build())
			.forEachRemaining(results::add);
		assertThat(results).extracting(ItemResult::getIndex)
			.containsExactlyElementsOf(IntStream.range(0, 1200).mapToObj(Long::valueOf).toList());
		JsonNode restPage = this.api.get("/v1/jobs/" + submitted.getId() + "/results?limit=1000").json().get("data");
		for (int i : new int[] { 0, 776, 777, 999 }) {
			JsonNode item = restPage.get(i);
			if (item.has("error")) {
				assertThat(results.get(i).getError().getCode()).isEqualTo(item.get("error").get("code").asString());
				assertThat(results.get(i).getError().getMessage())
					.isEqualTo(item.get("error").get("message").asString());
			}
			else {
				assertThat(EventCodec.tree(results.get(i).getOutput().getBytes())).isEqualTo(item.get("output"));
			}
		}
		assertThat(results.get(777).hasError()).isTrue();
		List<ItemResult> tail = new ArrayList<>();
		jobs(this.api.token())
			.streamResults(StreamResultsRequest.newBuilder().setId(submitted.getId()).setFromIndex(1150).build())
			.forEachRemaining(tail::add);
		assertThat(tail).extracting(ItemResult::getIndex).first().isEqualTo(1150L);
		assertThat(tail).hasSize(50);
	}

	@Test
	void packedNdjsonLinesAndInstancesAreItemsInTheOrderSent() throws Exception {
		List<SubmitJobRequest> messages = List.of(spec("iris"),
				SubmitJobRequest.newBuilder()
					.setItems(ItemBatch.newBuilder()
						.setNdjson(ByteString.copyFromUtf8("[0.0, 3.5, 1.4, 0.2]\n\n[1.0, 3.5, 1.4, 0.2]\n")))
					.build(),
				SubmitJobRequest.newBuilder()
					.setItems(ItemBatch.newBuilder()
						.addInstances(ByteString.copyFromUtf8("[2.0, 3.5, 1.4, 0.2]"))
						.setNdjson(ByteString.copyFromUtf8("[3.0, 3.5, 1.4, 0.2]")))
					.build(),
				SubmitJobRequest.newBuilder().setItems(ItemBatch.getDefaultInstance()).build(),
				items("[4.0, 3.5, 1.4, 0.2]"));
		Job job = submit(this.api.token(), messages);
		assertThat(job.getCounts().getTotal()).isEqualTo(5);
		ChunkSubmitted chunk = this.workers.chunksOf(UUID.fromString(job.getId()), 1).get(0);
		assertThat(chunk.instances()).extracting((instance) -> instance.get(0).asDouble())
			.containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
	}

	@Test
	void listsAndCancelsJobsAsRestDoes() throws Exception {
		ApiClient tenant = ApiClient.newTenant(this.port);
		JobsGrpc.JobsBlockingStub stub = jobs(tenant.token());
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(submit(tenant.token(), JobSpec.newBuilder().setModel("iris").build(), 2, 2).getId());
		}
		ListJobsResponse page = stub.listJobs(ListJobsRequest.newBuilder().setPageSize(2).build());
		JsonNode restPage = tenant.get("/v1/jobs?limit=2").json();
		assertThat(page.getJobsList()).extracting(Job::getId)
			.containsExactly(ids.get(2), ids.get(1))
			.containsExactlyElementsOf(restPage.get("data").findValuesAsString("id"));
		assertThat(page.getNextPageToken()).isEqualTo(restPage.get("next_cursor").asString());
		ListJobsResponse next = stub
			.listJobs(ListJobsRequest.newBuilder().setPageSize(2).setPageToken(page.getNextPageToken()).build());
		assertThat(next.getJobsList()).extracting(Job::getId).containsExactly(ids.get(0));
		assertThat(next.getNextPageToken()).isEmpty();

		Job cancelled = stub.cancelJob(CancelJobRequest.newBuilder().setId(ids.get(0)).build());
		assertThat(cancelled.getState()).isEqualTo(JobState.JOB_STATE_CANCELLING);
		// the workers skip the cancelled job's chunk
		this.workers.publishResult(WorkerSide.skipped(this.workers.chunksOf(UUID.fromString(ids.get(0)), 1).get(0)));
		await().atMost(WAIT)
			.until(() -> stub.getJob(GetJobRequest.newBuilder().setId(ids.get(0)).build())
				.getState() == JobState.JOB_STATE_CANCELLED);
		assertThat(stub.listJobs(ListJobsRequest.newBuilder().setState(JobState.JOB_STATE_CANCELLED).build())
			.getJobsList()).extracting(Job::getId).containsExactly(ids.get(0));
		assertStatus(() -> stub.cancelJob(CancelJobRequest.newBuilder().setId(ids.get(0)).build()),
				Status.Code.FAILED_PRECONDITION, "can no longer be cancelled");
	}

	@Test
	void refusesBadInputAndOtherTenantsJobsWithTheProtocolsStatusCodes() throws Exception {
		JobsGrpc.JobsBlockingStub stub = jobs(this.api.token());
		String id = submit(this.api.token(), JobSpec.newBuilder().setModel("iris").build(), 1, 1).getId();
		JobsGrpc.JobsBlockingStub other = jobs(ApiClient.newTenant(this.port).token());
		GetJobRequest get = GetJobRequest.newBuilder().setId(id).build();
		assertStatus(() -> other.getJob(get), Status.Code.NOT_FOUND, "not found");
		assertStatus(() -> other.cancelJob(CancelJobRequest.newBuilder().setId(id).build()), Status.Code.NOT_FOUND,
				"not found");
		assertStatus(() -> other.watchJob(WatchJobRequest.newBuilder().setId(id).build()).next(), Status.Code.NOT_FOUND,
				"not found");
		assertStatus(() -> other.streamResults(StreamResultsRequest.newBuilder().setId(id).build()).next(),
				Status.Code.NOT_FOUND, "not found");

		assertStatus(() -> JobsGrpc.newBlockingStub(this.channel).getJob(get), Status.Code.UNAUTHENTICATED,
				"authorization: Bearer");
		assertStatus(() -> jobs("bl_wrong").getJob(get), Status.Code.UNAUTHENTICATED, "not valid");
		assertStatus(() -> stub.getJob(GetJobRequest.newBuilder().setId("nope").build()), Status.Code.INVALID_ARGUMENT,
				"UUID");
		assertStatus(() -> stub.listJobs(ListJobsRequest.newBuilder().setPageSize(101).build()),
				Status.Code.INVALID_ARGUMENT, "page_size");
		assertStatus(() -> stub.listJobs(ListJobsRequest.newBuilder().setPageToken("garbage").build()),
				Status.Code.INVALID_ARGUMENT, "cursor");
		assertStatus(() -> stub.watchJob(WatchJobRequest.newBuilder().setId(id).setAfterEventId("x").build()).next(),
				Status.Code.INVALID_ARGUMENT, "after_event_id");
		assertStatus(
				() -> stub.streamResults(StreamResultsRequest.newBuilder().setId(id).setFromIndex(-1).build()).next(),
				Status.Code.INVALID_ARGUMENT, "from_index");

		JobsGrpc.JobsStub async = JobsGrpc.newStub(this.channel)
			.withCallCredentials(new ApiKeyCredentials(this.api.token()));
		assertSubmitFails(async, List.of(items("[1.0, 2.0, 3.0, 4.0]")), Status.Code.INVALID_ARGUMENT, "spec");
		assertSubmitFails(async, List.of(spec("iris"), spec("iris")), Status.Code.INVALID_ARGUMENT, "only the first");
		assertSubmitFails(async, List.of(spec("iris")), Status.Code.INVALID_ARGUMENT, "no items");
		assertSubmitFails(async, List.of(spec("no-such-model"), items("[1.0, 2.0, 3.0, 4.0]")),
				Status.Code.INVALID_ARGUMENT, "no-such-model");
		assertSubmitFails(async, List.of(spec("iris"), items("[1.0, 2.0, 3.0, 4.0]", "[1.0, 2.0]")),
				Status.Code.INVALID_ARGUMENT, "line 2");
		assertSubmitFails(async, List.of(spec("iris"), items("[1.0, 2.0, 3.0, 4.0", "[1.0, 2.0, 3.0, 4.0]")),
				Status.Code.INVALID_ARGUMENT, "line 1");
		assertSubmitFails(async, List.of(spec("iris"), SubmitJobRequest.newBuilder()
			.setItems(ItemBatch.newBuilder().addInstances(ByteString.copyFrom(new byte[] { '[', (byte) 0xff, ']' })))
			.build()), Status.Code.INVALID_ARGUMENT, "line 1");
		// a pretty-printed instance is still one item
		assertThat(submit(this.api.token(), JobSpec.newBuilder().setModel("iris").build(),
				List.of("[1.0,\n 2.0,\r\n 3.0, 4.0]"))
			.getCounts()
			.getTotal()).isEqualTo(1);
	}

	@Test
	void healthReflectionAndServerLiveNeedNoKeyAndModelMetadataIsRests() {
		HealthCheckResponse health = HealthGrpc.newBlockingStub(this.channel)
			.check(HealthCheckRequest.newBuilder().build());
		assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
		assertThat(GRPCInferenceServiceGrpc.newBlockingStub(this.channel)
			.serverLive(ServerLiveRequest.newBuilder().build())
			.getLive()).isTrue();
		assertThat(services()).contains("batchline.jobs.v1.Jobs", "inference.GRPCInferenceService",
				"grpc.health.v1.Health");

		ModelMetadataResponse metadata = GRPCInferenceServiceGrpc.newBlockingStub(this.channel)
			.withCallCredentials(new ApiKeyCredentials(this.api.token()))
			.modelMetadata(ModelMetadataRequest.newBuilder().setName("iris").build());
		JsonNode rest = this.api.get("/v2/models/iris").json();
		assertThat(metadata.getName()).isEqualTo(rest.get("name").asString());
		assertThat(metadata.getPlatform()).isEqualTo(rest.get("platform").asString());
		assertThat(metadata.getVersionsList())
			.containsExactlyElementsOf(rest.get("versions").valueStream().map(JsonNode::asString).toList());
		for (int i = 0; i < metadata.getInputsCount(); i++) {
			assertThat(metadata.getInputs(i).getName()).isEqualTo(rest.get("inputs").get(i).get("name").asString());
			assertThat(metadata.getInputs(i).getDatatype())
				.isEqualTo(rest.get("inputs").get(i).get("datatype").asString());
			assertThat(metadata.getInputs(i).getShapeList().toString())
				.isEqualTo(rest.get("inputs").get(i).get("shape").toString().replace(",", ", "));
		}
		assertStatus(
				() -> GRPCInferenceServiceGrpc.newBlockingStub(this.channel)
					.modelMetadata(ModelMetadataRequest.newBuilder().setName("iris").build()),
				Status.Code.UNAUTHENTICATED, "authorization");
		assertStatus(
				() -> GRPCInferenceServiceGrpc.newBlockingStub(this.channel)
					.withCallCredentials(new ApiKeyCredentials(this.api.token()))
					.modelMetadata(ModelMetadataRequest.newBuilder().setName("no-such-model").build()),
				Status.Code.NOT_FOUND, "no-such-model");
	}

	private List<String> services() {
		CompletableFuture<List<String>> names = new CompletableFuture<>();
		StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(this.channel)
			.serverReflectionInfo(new StreamObserver<>() {

				@Override
				public void onNext(ServerReflectionResponse response) {
					names.complete(response.getListServicesResponse()
						.getServiceList()
						.stream()
						.map((service) -> service.getName())
						.toList());
				}

				@Override
				public void onError(Throwable failure) {
					names.completeExceptionally(failure);
				}

				@Override
				public void onCompleted() {
				}

			});
		requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
		requests.onCompleted();
		return names.join();
	}

	private void assertSameJob(Job job, JsonNode rest) {
		assertThat(job.getId()).isEqualTo(rest.get("id").asString());
		assertThat(job.getState().name()).isEqualTo("JOB_STATE_" + rest.get("state").asString());
		assertThat(job.getModel()).isEqualTo(rest.get("model").asString());
		assertThat(job.getVersion()).isEqualTo(rest.get("version").asString());
		assertThat(job.getCache()).isEqualTo(rest.get("cache").asBoolean());
		assertThat(job.getCounts().getTotal()).isEqualTo(rest.get("counts").get("total").asLong());
		assertThat(job.getCounts().getPending()).isEqualTo(rest.get("counts").get("pending").asLong());
		assertThat(job.getMetadata().getFieldsOrThrow("batch").getStringValue())
			.isEqualTo(rest.get("metadata").get("batch").asString());
		assertThat(instant(job.getCreatedAt())).isEqualTo(Instant.parse(rest.get("created_at").asString()));
		assertThat(instant(job.getExpiresAt())).isEqualTo(Instant.parse(rest.get("expires_at").asString()));
		assertThat(job.getHistoryList()).extracting((change) -> change.getTo().name())
			.containsExactlyElementsOf(
					rest.get("history").findValuesAsString("to").stream().map((to) -> "JOB_STATE_" + to).toList());
	}

	private static Instant instant(Timestamp timestamp) {
		return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
	}

	private JobsGrpc.JobsBlockingStub jobs(String key) {
		return JobsGrpc.newBlockingStub(this.channel).withCallCredentials(new ApiKeyCredentials(key));
	}

	/** Submits {@code count} items, {@code perMessage} to a message; item i is [i, …]. */
	private Job submit(String key, JobSpec spec, int count, int perMessage) throws Exception {
		return submit(key, spec, IntStream.range(0, count).mapToObj((i) -> "[" + i + ".0, 3.5, 1.4, 0.2]").toList(),
				perMessage);
	}

	private Job submit(String key, JobSpec spec, List<String> instances) throws Exception {
		return submit(key, spec, instances, instances.size());
	}

	private Job submit(String key, JobSpec spec, List<String> instances, int perMessage) throws Exception {
		List<SubmitJobRequest> messages = new ArrayList<>();
		messages.add(SubmitJobRequest.newBuilder().setSpec(spec).build());
		for (int from = 0; from < instances.size(); from += perMessage) {
			messages.add(SubmitJobRequest.newBuilder()
				.setItems(ItemBatch.newBuilder()
					.addAllInstances(instances.subList(from, Math.min(instances.size(), from + perMessage))
						.stream()
						.map(ByteString::copyFromUtf8)
						.toList()))
				.build());
		}
		return submit(key, messages);
	}

	private Job submit(String key, List<SubmitJobRequest> messages) throws Exception {
		CompletableFuture<Job> answer = new CompletableFuture<>();
		StreamObserver<SubmitJobRequest> requests = JobsGrpc.newStub(this.channel)
			.withCallCredentials(new ApiKeyCredentials(key))
			.submitJob(observer(answer));
		messages.forEach(requests::onNext);
		requests.onCompleted();
		return answer.get(30, TimeUnit.SECONDS);
	}

	private static SubmitJobRequest spec(String model) {
		return SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setModel(model)).build();
	}

	private static SubmitJobRequest items(String... instances) {
		return SubmitJobRequest.newBuilder()
			.setItems(
					ItemBatch.newBuilder().addAllInstances(Stream.of(instances).map(ByteString::copyFromUtf8).toList()))
			.build();
	}

	private static void assertSubmitFails(JobsGrpc.JobsStub async, List<SubmitJobRequest> messages, Status.Code code,
			String detailPart) {
		CompletableFuture<Job> answer = new CompletableFuture<>();
		StreamObserver<SubmitJobRequest> requests = async.submitJob(observer(answer));
		messages.forEach(requests::onNext);
		requests.onCompleted();
		assertStatus(() -> {
			try {
				return answer.get(30, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException ex) {
				throw (RuntimeException) ex.getCause();
			}
		}, code, detailPart);
	}

	private static StreamObserver<Job> observer(CompletableFuture<Job> answer) {
		return new StreamObserver<>() {

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

		};
	}

	private static void assertStatus(ThrowingSupplier call, Status.Code code, String detailPart) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::get).satisfies((ex) -> {
			assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString()).isEqualTo(code);
			assertThat(ex.getStatus().getDescription()).containsIgnoringCase(detailPart);
		});
	}

	@FunctionalInterface
	private interface ThrowingSupplier {

		Object get() throws Exception;

	}

}
