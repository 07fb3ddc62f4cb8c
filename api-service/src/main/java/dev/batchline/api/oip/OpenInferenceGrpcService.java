package dev.batchline.api.oip;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.batchline.api.grpc.GrpcAuthentication;
import dev.batchline.api.grpc.GrpcErrors;
import dev.batchline.api.inference.Inference;
import dev.batchline.api.inference.Prediction;
import dev.batchline.api.inference.PredictionRequest;
import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.grpc.inference.GRPCInferenceServiceGrpc;
import dev.batchline.contracts.grpc.inference.InferParameter;
import dev.batchline.contracts.grpc.inference.ModelInferRequest;
import dev.batchline.contracts.grpc.inference.ModelInferResponse;
import dev.batchline.contracts.grpc.inference.ModelMetadataRequest;
import dev.batchline.contracts.grpc.inference.ModelMetadataResponse;
import dev.batchline.contracts.grpc.inference.ModelMetadataResponse.TensorMetadata;
import dev.batchline.contracts.grpc.inference.ModelReadyRequest;
import dev.batchline.contracts.grpc.inference.ModelReadyResponse;
import dev.batchline.contracts.grpc.inference.ServerLiveRequest;
import dev.batchline.contracts.grpc.inference.ServerLiveResponse;
import dev.batchline.contracts.grpc.inference.ServerMetadataRequest;
import dev.batchline.contracts.grpc.inference.ServerMetadataResponse;
import dev.batchline.contracts.grpc.inference.ServerReadyRequest;
import dev.batchline.contracts.grpc.inference.ServerReadyResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;

/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}, KServe's
 * {@code grpc_predict_v2.proto}), the same adapter over {@link Inference} as the REST one
 * ({@link OpenInferenceController}): same routing, limits, cache and errors, as gRPC
 * status codes ({@code dev.batchline.api.grpc.GrpcErrors}). A prediction waits for the
 * call's deadline, or the request's {@code timeout} parameter (microseconds, as Triton
 * sends it), whichever is sooner; {@code cache} ({@code bool_param}) turns the result
 * cache on or off as REST's {@code ?cache=} does. The answer's parameters
 * {@code batchline_cache} and {@code batchline_model_label} say what REST's
 * {@code Batchline-Cache} and {@code Batchline-Model-Label} headers say.
 */
@Service
class OpenInferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

	static final String DOOR = "oip-grpc";

	private final Inference inference;

	private final ModelCatalog catalog;

	OpenInferenceGrpcService(Inference inference, ModelCatalog catalog) {
		this.inference = inference;
		this.catalog = catalog;
	}

	@Override
	public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
		reply(answer, ServerLiveResponse.newBuilder().setLive(true).build());
	}

	@Override
	public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> answer) {
		reply(answer, ServerReadyResponse.newBuilder().setReady(!this.catalog.names().isEmpty()).build());
	}

	@Override
	public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
		reply(answer,
				ServerMetadataResponse.newBuilder()
					.setName("batchline")
					.setVersion(OpenInferenceController.version())
					.build());
	}

	@Override
	public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> answer) {
		ModelRoute route = route(request.getName(), request.getVersion());
		reply(answer, ModelReadyResponse.newBuilder().setReady(this.inference.ready(route)).build());
	}

	@Override
	public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> answer) {
		ModelRoute route = route(request.getName(), request.getVersion());
		ModelDeployed served = route.model();
		ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
			.setName(served.name())
			.setPlatform(OpenInferenceController.PLATFORM);
		if (!request.getVersion().isEmpty()) {
			metadata.addVersions(served.version());
		}
		else {
			this.catalog.versions(served.name()).forEach((version) -> metadata.addVersions(version.version()));
		}
		served.signature().inputs().forEach((spec) -> metadata.addInputs(tensor(spec)));
		served.signature().outputs().forEach((spec) -> metadata.addOutputs(tensor(spec)));
		reply(answer, metadata.build());
	}

	/**
	 * Predicts without holding a thread while the workers predict: the answer goes from
	 * the thread that took the worker's reply.
	 */
	@Override
	public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
		ModelRoute route = route(request.getModelName(), request.getModelVersion());
		ModelDeployed served = route.model();
		List<JsonNode> rows = OipTensors.rows(OipGrpcTensors.inputs(request), served.signature());
		InferParameter cache = request.getParametersOrDefault("cache", null);
		if (cache != null && !cache.hasBoolParam()) {
			throw ApiException.badRequest("the parameter 'cache' must be a bool_param");
		}
		this.inference
			.predictAsync(new PredictionRequest(GrpcAuthentication.tenant(), DOOR, route, rows,
					timeout(request.getParametersOrDefault("timeout", null)),
					(cache != null) ? cache.getBoolParam() : null))
			.thenApply((prediction) -> response(request, prediction))
			.whenComplete((response, failure) -> {
				if (failure == null) {
					reply(answer, response);
				}
				else {
					Throwable cause = Inference.cause(failure);
					answer.onError(GrpcErrors.of(cause).asException(GrpcErrors.trailers(cause)));
				}
			});
	}

	private static ModelInferResponse response(ModelInferRequest request, Prediction prediction) {
		for (ItemResult row : prediction.rows()) {
			if (row.error() != null) {
				throw new ApiException(ProblemKind.INVALID_INSTANCE,
						"row " + row.index() + ": " + row.error().message());
			}
		}
		ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
			.setModelName(prediction.model().name())
			.setModelVersion(prediction.model().version())
			.setId(request.getId());
		OipGrpcTensors.outputs(OipTensors.outputs(prediction.rows(), prediction.model().signature(),
				OipGrpcTensors.requestedOutputs(request)), OipGrpcTensors.raw(request), response);
		String cached = prediction.headers().get(Prediction.CACHE_HEADER);
		response.putParameters("batchline_cache", InferParameter.newBuilder().setStringParam(cached).build());
		if (prediction.label() != null) {
			response.putParameters("batchline_model_label",
					InferParameter.newBuilder().setStringParam(prediction.label()).build());
		}
		return response.build();
	}

	private ModelRoute route(String model, String version) {
		if (model.isEmpty()) {
			throw ApiException.badRequest("the model's name is required");
		}
		return this.inference.route(model, version.isEmpty() ? null : version);
	}

	/**
	 * How long to wait for a worker: the sooner of the call's deadline and the request's
	 * {@code timeout} parameter; null (the default) for neither.
	 */
	private static Duration timeout(InferParameter parameter) {
		Duration timeout = null;
		if (parameter != null) {
			if (!parameter.hasInt64Param() || parameter.getInt64Param() < 0) {
				throw ApiException.badRequest("the parameter 'timeout' must be an int64_param of microseconds >= 0");
			}
			timeout = Duration.of(parameter.getInt64Param(), ChronoUnit.MICROS);
		}
		Deadline deadline = Context.current().getDeadline();
		if (deadline != null) {
			Duration left = Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
			timeout = (timeout == null || left.compareTo(timeout) < 0) ? left : timeout;
		}
		return timeout;
	}

	private static TensorMetadata tensor(TensorSpec spec) {
		return TensorMetadata.newBuilder()
			.setName(spec.name())
			.setDatatype(OipTensors.datatype(spec.dtype()))
			.addAllShape(spec.shape())
			.build();
	}

	private static <T> void reply(StreamObserver<T> answer, T message) {
		answer.onNext(message);
		answer.onCompleted();
	}

}
