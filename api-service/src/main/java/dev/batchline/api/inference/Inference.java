package dev.batchline.api.inference;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.contracts.ProblemKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;

/**
 * Synchronous inference, the one face every front door that predicts calls (Open
 * Inference Protocol, TensorFlow Serving, …). A request is routed to a model version,
 * checked row by row against its signature, charged to the tenant's items per minute,
 * answered from the result cache where it may, and the rest asked of the workers on their
 * prediction lane ({@link WorkerLane}), where concurrent requests are predicted together.
 * Timed in {@code batchline.inference.requests{door, model, version, outcome}}.
 */
@Service
public class Inference {

	private static final Logger log = LoggerFactory.getLogger(Inference.class);

	private final ModelCatalog catalog;

	private final WorkerLane lane;

	private final PredictionCache cache;

	private final Quotas quotas;

	private final InferenceProperties properties;

	private final MeterRegistry meters;

	Inference(ModelCatalog catalog, WorkerLane lane, PredictionCache cache, Quotas quotas,
			InferenceProperties properties, MeterRegistry meters) {
		this.catalog = catalog;
		this.lane = lane;
		this.cache = cache;
		this.quotas = quotas;
		this.properties = properties;
		this.meters = meters;
	}

	/**
	 * Predicts the rows.
	 * @param request the request
	 * @return every row's result; a row the model failed on has its error
	 * @throws ApiException {@code not-found} for a model (or version) no worker serves,
	 * {@code invalid-request} without rows, {@code too-many-items} past {@code max-rows},
	 * {@code invalid-instance} for a row that does not fit the signature,
	 * {@code rate-limited} past the tenant's items per minute, {@code model-unavailable}
	 * when the workers no longer serve it, {@code inference-timeout} when none answered
	 * in time
	 */
	public Prediction predict(PredictionRequest request) {
		try {
			return predictAsync(request).join();
		}
		catch (CompletionException ex) {
			throw (cause(ex) instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	/**
	 * Predicts the rows without waiting for the workers: what {@link #predict} answers,
	 * or throws, as a future. A request that is not valid fails at once (as the future's
	 * failure); the rest completes on the thread that took the worker's answer.
	 * @param request the request
	 * @return the prediction, or its failure ({@link #cause} unwraps it)
	 */
	public CompletableFuture<Prediction> predictAsync(PredictionRequest request) {
		long start = System.nanoTime();
		ModelDeployed model = request.route().model();
		CompletableFuture<Prediction> prediction;
		try {
			prediction = predict(request, model);
		}
		catch (RuntimeException ex) {
			prediction = CompletableFuture.failedFuture(ex);
		}
		return prediction.whenComplete((answer, failure) -> Timer.builder("batchline.inference.requests")
			.description("Synchronous predictions, from the request read to the answer")
			.tag("door", request.door())
			.tag("model", model.name())
			.tag("version", model.version())
			.tag("outcome",
					(failure == null) ? "success"
							: (cause(failure) instanceof ApiException api) ? api.kind().slug() : "error")
			.register(this.meters)
			.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
	}

	/** What a future's failure is, without the {@link CompletionException} around it. */
	public static Throwable cause(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/**
	 * The model version a request for a model goes to: the version or label it names
	 * (which pins it), else the model's split, else its newest served version.
	 * @param name the model name
	 * @param versionOrLabel a version or a version label, or null
	 * @return the version and the label that chose it
	 * @throws ApiException {@code model-unavailable} (503) when the model is known but no
	 * worker serves it (or that version) now, {@code not-found} for a model never served
	 */
	public ModelRoute route(String name, String versionOrLabel) {
		return this.catalog.route(name, versionOrLabel).orElseThrow(() -> {
			String what = "model '" + name + "'"
					+ ((versionOrLabel != null) ? " version '" + versionOrLabel + "'" : "");
			if (this.catalog.known(name)) {
				return new ApiException(ProblemKind.MODEL_UNAVAILABLE, "No worker serves " + what + " at the moment")
					.retryAfter(1);
			}
			return ApiException.notFound(what + " (served models: " + this.catalog.names() + ")");
		});
	}

	/** Whether a worker of the routed model version takes predictions now. */
	public boolean ready(ModelRoute route) {
		return this.lane.ready(route.model().name(), route.model().version());
	}

	private CompletableFuture<Prediction> predict(PredictionRequest request, ModelDeployed model) {
		List<JsonNode> rows = request.rows();
		if (rows == null || rows.isEmpty()) {
			throw ApiException.invalid("The request has no rows to predict");
		}
		if (rows.size() > this.properties.maxRows()) {
			throw new ApiException(ProblemKind.TOO_MANY_ITEMS,
					"The request has " + rows.size() + " rows; the most allowed is " + this.properties.maxRows()
							+ " (batchline.api.inference.max-rows)");
		}
		for (int r = 0; r < rows.size(); r++) {
			Optional<ItemError> error = InstanceValidator.validate(rows.get(r), model.signature());
			if (error.isPresent()) {
				throw new ApiException(ProblemKind.INVALID_INSTANCE, "row " + r + ": " + error.get().message(),
						Map.of("item_index", r, "code", error.get().code()));
			}
		}
		this.quotas.items(request.tenantId(), rows.size());
		Duration timeout = timeout(request.timeout());
		boolean cached = (request.cache() != null) ? request.cache()
				: this.properties.cache().models().contains(model.name());
		String id = UUID.randomUUID().toString();
		ItemResult[] results = new ItemResult[rows.size()];
		String[] keys = new String[rows.size()];
		List<Integer> asked = new ArrayList<>(rows.size());
		for (int r = 0; r < rows.size(); r++) {
			JsonNode output = null;
			if (cached) {
				keys[r] = PredictionCache.key(model, rows.get(r));
				output = this.cache.get(keys[r]);
			}
			if (output != null) {
				results[r] = ItemResult.success(r, output);
			}
			else {
				asked.add(r);
			}
		}
		Supplier<Prediction> prediction = () -> new Prediction(id, model, request.route().label(),
				Arrays.asList(results), rows.size() - asked.size());
		if (asked.isEmpty()) {
			return CompletableFuture.completedFuture(prediction.get());
		}
		return ask(id, model, asked.stream().map(rows::get).toList(), timeout).thenApply((answered) -> {
			for (ItemResult row : answered) {
				int r = asked.get((int) row.index());
				results[r] = new ItemResult(r, row.output(), row.error());
				if (cached && row.error() == null) {
					this.cache.put(keys[r], row.output());
				}
			}
			return prediction.get();
		});
	}

	private CompletableFuture<List<ItemResult>> ask(String id, ModelDeployed model, List<JsonNode> rows,
			Duration timeout) {
		PredictionRequested request = new PredictionRequested(id, model.name(), model.version(), rows,
				Instant.now().plus(timeout));
		return this.lane.ask(request, timeout).handle((answer, failure) -> {
			if (failure != null) {
				if (cause(failure) instanceof TimeoutException) {
					log.warn("Prediction {} for model {}:{}: no worker answered within {} ms", id, model.name(),
							model.version(), timeout.toMillis());
					throw new ApiException(ProblemKind.INFERENCE_TIMEOUT,
							"No worker answered within " + timeout.toMillis()
									+ " ms; the workers may be busy or restarting: try again",
							Map.of("timeout_ms", timeout.toMillis()));
				}
				throw (cause(failure) instanceof RuntimeException runtime) ? runtime : new CompletionException(failure);
			}
			List<ItemResult> answered = answer.results().toList();
			if (answered.size() != rows.size()) {
				throw new IllegalStateException(
						"Prediction " + id + ": the worker answered " + answered.size() + " rows of " + rows.size());
			}
			if (answered.stream()
				.allMatch((row) -> row.error() != null && ItemError.MODEL_UNAVAILABLE.equals(row.error().code()))) {
				throw new ApiException(ProblemKind.MODEL_UNAVAILABLE,
						"No worker serves model " + model.name() + ":" + model.version() + " at the moment")
					.retryAfter(1);
			}
			return answered;
		});
	}

	private Duration timeout(Duration asked) {
		if (asked == null) {
			return this.properties.defaultTimeout();
		}
		if (asked.isNegative() || asked.isZero() || asked.compareTo(this.properties.maxTimeout()) > 0) {
			throw ApiException.badRequest("The timeout must be more than 0 and at most "
					+ this.properties.maxTimeout().toMillis() + " ms (batchline.api.inference.max-timeout)");
		}
		return asked;
	}

}
