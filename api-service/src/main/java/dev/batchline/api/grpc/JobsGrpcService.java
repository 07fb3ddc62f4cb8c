package dev.batchline.api.grpc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import dev.batchline.api.intake.BodySpool;
import dev.batchline.api.intake.BodySpools;
import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.intake.NdjsonItems;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.job.JobEventFeed;
import dev.batchline.api.job.JobEventId;
import dev.batchline.api.job.JobEventSink;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobManagement.ResultsPage;
import dev.batchline.api.job.JobPage;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.webhook.WebhookUrls;
import dev.batchline.contracts.grpc.jobs.CancelJobRequest;
import dev.batchline.contracts.grpc.jobs.GetJobRequest;
import dev.batchline.contracts.grpc.jobs.ItemResult;
import dev.batchline.contracts.grpc.jobs.Job;
import dev.batchline.contracts.grpc.jobs.JobEvent;
import dev.batchline.contracts.grpc.jobs.JobSpec;
import dev.batchline.contracts.grpc.jobs.JobsGrpc;
import dev.batchline.contracts.grpc.jobs.ListJobsRequest;
import dev.batchline.contracts.grpc.jobs.ListJobsResponse;
import dev.batchline.contracts.grpc.jobs.StreamResultsRequest;
import dev.batchline.contracts.grpc.jobs.SubmitJobRequest;
import dev.batchline.contracts.grpc.jobs.WatchJobRequest;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;

/**
 * Batchline's jobs over gRPC ({@code batchline.jobs.v1.Jobs}): an adapter over
 * {@link JobManagement} and {@link JobEventFeed}, with the REST API's rules, limits and
 * errors (as gRPC status codes, {@link GrpcErrors}). A streamed submission is the NDJSON
 * submission with another transport: its items are received into a spool
 * ({@link ItemStream}, {@link BodySpools}) and stored by the same intake.
 */
@Service
class JobsGrpcService extends JobsGrpc.JobsImplBase {

	private static final int MAX_PAGE_SIZE = 100;

	private static final int DEFAULT_PAGE_SIZE = 20;

	private static final String MAX_STREAM_BYTES = "batchline.api.max-stream-bytes";

	private final JobManagement jobs;

	private final JobEventFeed feed;

	private final BodySpools spools;

	private final UploadProperties upload;

	private final ApiProperties properties;

	private final WebhookUrls webhookUrls;

	private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

	JobsGrpcService(JobManagement jobs, JobEventFeed feed, BodySpools spools, UploadProperties upload,
			ApiProperties properties, WebhookUrls webhookUrls) {
		this.jobs = jobs;
		this.feed = feed;
		this.spools = spools;
		this.upload = upload;
		this.properties = properties;
		this.webhookUrls = webhookUrls;
	}

	@Override
	public StreamObserver<SubmitJobRequest> submitJob(StreamObserver<Job> answer) {
		UUID tenantId = GrpcAuthentication.tenant();
		ServerCallStreamObserver<Job> call = (ServerCallStreamObserver<Job>) answer;
		call.disableAutoRequest();
		call.request(1);
		ItemStream items = new ItemStream(call, this.upload.idleTimeout());
		return new StreamObserver<>() {

			private boolean started;

			@Override
			public void onNext(SubmitJobRequest message) {
				try {
					take(message);
				}
				catch (RuntimeException ex) {
					// the call ends with this error; the receiving worker stops too
					items.fail(ex);
					throw ex;
				}
			}

			private void take(SubmitJobRequest message) {
				if (!this.started) {
					if (!message.hasSpec()) {
						throw ApiException.badRequest("the first message must be the job's spec");
					}
					JobRequest request = request(message.getSpec());
					this.started = true;
					call.request(ItemStream.AHEAD);
					// the call's context (its tenant, its cancellation) goes with the
					// work
					JobsGrpcService.this.workers
						.execute(Context.current().wrap(() -> store(tenantId, request, items, call)));
					return;
				}
				if (!message.hasItems()) {
					throw ApiException.badRequest("only the first message may be the job's spec; then items");
				}
				items.add(message.getItems().getInstancesList(), message.getItems().getNdjson());
			}

			@Override
			public void onError(Throwable failure) {
				items.fail(failure);
			}

			@Override
			public void onCompleted() {
				if (!this.started) {
					throw ApiException.badRequest("the stream ended before the job's spec");
				}
				items.end();
			}

		};
	}

	/** Receives the items, then stores the job; answers the queued job or the error. */
	private void store(UUID tenantId, JobRequest request, ItemStream stream, ServerCallStreamObserver<Job> answer) {
		long maxBytes = this.properties.maxStreamBytes();
		try (BodySpool spool = this.spools.read(stream, maxBytes, MAX_STREAM_BYTES, true)) {
			Items items = new NdjsonItems(spool.open(), maxBytes, MAX_STREAM_BYTES, this.upload.maxItemBytes(),
					spool.nonBlankLines());
			this.jobs.admit(tenantId, items.size());
			answer.onNext(JobMessages.job(this.jobs.submit(tenantId, request, items)));
			answer.onCompleted();
		}
		catch (RuntimeException ex) {
			// a call the client cancelled, or that ends with an error of a message, has
			// its answer
			if (!stream.failed() && !answer.isCancelled()) {
				answer.onError(GrpcErrors.of(ex).asRuntimeException(GrpcErrors.trailers(ex)));
			}
		}
	}

	/** The spec as the query of an NDJSON submission, checked by the same rules. */
	private JobRequest request(JobSpec spec) {
		Map<String, String[]> query = new HashMap<>();
		query.put("model", new String[] { spec.getModel() });
		putIfSet(query, "version", spec.getVersion());
		if (spec.hasMetadata()) {
			query.put("metadata", new String[] { JobMessages.json(spec.getMetadata()) });
		}
		putIfSet(query, "callback_url", spec.getCallbackUrl());
		putIfSet(query, "completion_window", spec.getCompletionWindow());
		if (spec.hasOutputExpiresAfter()) {
			query.put("output_expires_after_anchor", new String[] { spec.getOutputExpiresAfter().getAnchor() });
			query.put("output_expires_after_seconds",
					new String[] { String.valueOf(spec.getOutputExpiresAfter().getSeconds()) });
		}
		if (spec.hasCache()) {
			query.put("cache", new String[] { String.valueOf(spec.getCache()) });
		}
		JobRequest request = JobRequest.fromQuery(query);
		if (request.callbackUrl() != null) {
			this.webhookUrls.check("callback_url", request.callbackUrl());
		}
		return request;
	}

	private static void putIfSet(Map<String, String[]> query, String name, String value) {
		if (!value.isEmpty()) {
			query.put(name, new String[] { value });
		}
	}

	@Override
	public void getJob(GetJobRequest request, StreamObserver<Job> answer) {
		reply(answer, JobMessages.job(this.jobs.get(GrpcAuthentication.tenant(), id(request.getId()))));
	}

	@Override
	public void cancelJob(CancelJobRequest request, StreamObserver<Job> answer) {
		reply(answer, JobMessages.job(this.jobs.cancel(GrpcAuthentication.tenant(), id(request.getId()))));
	}

	@Override
	public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> answer) {
		int size = (request.getPageSize() == 0) ? DEFAULT_PAGE_SIZE : request.getPageSize();
		if (size < 1 || size > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'page_size' must be between 1 and " + MAX_PAGE_SIZE);
		}
		JobPage page = this.jobs.list(GrpcAuthentication.tenant(), JobMessages.state(request.getState()),
				request.getPageToken().isEmpty() ? null : request.getPageToken(), size);
		ListJobsResponse.Builder response = ListJobsResponse.newBuilder();
		page.jobs().forEach((job) -> response.addJobs(JobMessages.job(job)));
		if (page.nextCursor() != null) {
			response.setNextPageToken(page.nextCursor());
		}
		reply(answer, response.build());
	}

	@Override
	public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> answer) {
		ServerCallStreamObserver<JobEvent> call = (ServerCallStreamObserver<JobEvent>) answer;
		JobEventId after = JobEventId.parse(request.getAfterEventId(), "after_event_id");
		AtomicReference<JobEventFeed.Subscription> opened = new AtomicReference<>();
		call.setOnCancelHandler(() -> {
			if (opened.get() != null) {
				opened.get().cancel();
			}
		});
		opened.set(this.feed.open(GrpcAuthentication.tenant(), id(request.getId()), after, new JobEventSink() {

			@Override
			public void send(List<dev.batchline.api.job.JobEvent> events) {
				events.forEach((event) -> call.onNext(JobMessages.event(event)));
			}

			@Override
			public void heartbeat() {
				// HTTP/2 keeps the connection alive, and a client that left is
				// seen by its cancellation
			}

			@Override
			public void end(Exception error) {
				if (call.isCancelled()) {
					return;
				}
				if (error != null) {
					call.onError(GrpcErrors.of(error).asRuntimeException());
				}
				else {
					call.onCompleted();
				}
			}

		}));
		if (call.isCancelled()) {
			opened.get().cancel();
		}
	}

	@Override
	public void streamResults(StreamResultsRequest request, StreamObserver<ItemResult> answer) {
		UUID tenantId = GrpcAuthentication.tenant();
		UUID jobId = id(request.getId());
		if (request.getFromIndex() < 0) {
			throw ApiException.badRequest("'from_index' must be >= 0");
		}
		ServerCallStreamObserver<ItemResult> call = (ServerCallStreamObserver<ItemResult>) answer;
		// the first page before the call returns: an unknown job is an error, not an
		// empty stream
		ResultsPage first = this.jobs.results(tenantId, jobId, request.getFromIndex(),
				this.properties.resultsPageSize());
		ReadyGate gate = new ReadyGate(call);
		this.workers.execute(Context.current().wrap(() -> {
			try {
				ResultsPage page = first;
				while (true) {
					for (JsonNode item : page.items()) {
						gate.awaitReady();
						call.onNext(JobMessages.result(item));
					}
					if (page.nextIndex() < 0) {
						break;
					}
					page = this.jobs.results(tenantId, jobId, page.nextIndex(), this.properties.resultsPageSize());
				}
				call.onCompleted();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				if (!gate.cancelled()) {
					call.onError(GrpcErrors.of(ex).asRuntimeException(GrpcErrors.trailers(ex)));
				}
			}
		}));
	}

	private static UUID id(String id) {
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("'id' must be a job id (a UUID), not '" + id + "'");
		}
	}

	private static <T> void reply(StreamObserver<T> answer, T message) {
		answer.onNext(message);
		answer.onCompleted();
	}

}
