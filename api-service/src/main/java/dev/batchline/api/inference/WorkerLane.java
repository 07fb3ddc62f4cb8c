package dev.batchline.api.inference;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.contracts.ProblemKind;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The synchronous lane to the workers: a prediction goes straight to one worker that
 * serves its model version, over HTTP at the endpoint the worker announces
 * ({@link ModelDeployed#endpoint()}), on kept-alive connections, gathered with the other
 * requests that wait for the same worker into one call ({@link WorkerCalls}). The worker
 * with the fewest of this replica's requests outstanding is asked (ties broken at
 * random). A worker that cannot be reached, or whose connection breaks before it answers
 * (it crashed or stops), is left alone for {@link #SHUNNED_FOR} and the request is asked
 * of another while time is left; a worker that refuses the request (its queue is full, or
 * it stops) is passed over for this request. A request is answered once: the answer of
 * the worker that answered.
 */
@Component
class WorkerLane {

	private static final Logger log = LoggerFactory.getLogger(WorkerLane.class);

	/** How long a worker whose connection failed is asked nothing. */
	static final Duration SHUNNED_FOR = Duration.ofSeconds(5);

	private final ModelCatalog catalog;

	private final HttpClient http;

	private final InferenceProperties properties;

	private final DistributionSummary callSizes;

	/** Endpoint → this replica's requests to it. */
	private final Map<String, WorkerCalls> workers = new ConcurrentHashMap<>();

	/** Endpoint → until when ({@link System#nanoTime()}) it is asked nothing. */
	private final Map<String, Long> shunned = new ConcurrentHashMap<>();

	WorkerLane(ModelCatalog catalog, InferenceProperties properties, MeterRegistry meters) {
		this.catalog = catalog;
		this.properties = properties;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(properties.connectTimeout())
			.build();
		this.callSizes = DistributionSummary.builder("batchline.api.inference.call.size")
			.description("Synchronous predictions per call to a worker")
			.register(meters);
	}

	/**
	 * Asks a worker, and another while one fails or refuses and time is left.
	 * @param request the request
	 * @param timeout how long to wait
	 * @return the answer; failed with a {@link TimeoutException} when no answer came in
	 * time, {@code model-unavailable} ({@link ApiException}) when no worker of the model
	 * version takes predictions, {@code unavailable} when every one asked failed
	 */
	CompletableFuture<PredictionCompleted> ask(PredictionRequested request, Duration timeout) {
		CompletableFuture<PredictionCompleted> answer = new CompletableFuture<>();
		ask(request, System.nanoTime() + timeout.toNanos(), new HashSet<>(), answer);
		return answer;
	}

	private void ask(PredictionRequested request, long deadline, Set<String> asked,
			CompletableFuture<PredictionCompleted> answer) {
		WorkerCalls worker = choose(request.model(), request.version(), asked);
		if (worker == null) {
			answer.completeExceptionally(asked.isEmpty()
					? new ApiException(ProblemKind.MODEL_UNAVAILABLE,
							"No worker takes predictions for model " + request.model() + ":" + request.version()
									+ " at the moment")
						.retryAfter(1)
					: new ApiException(ProblemKind.UNAVAILABLE,
							"The workers asked could not answer the prediction; try again")
						.retryAfter(1));
			return;
		}
		asked.add(worker.endpoint());
		if (deadline - System.nanoTime() <= 0) {
			answer.completeExceptionally(new TimeoutException());
			return;
		}
		worker.ask(request, deadline).whenComplete((outcome, failure) -> {
			try {
				switch (outcome) {
					case null -> answer.completeExceptionally(failure);
					case WorkerCalls.Outcome.Answered answered -> answer.complete(answered.answer());
					case WorkerCalls.Outcome.Expired expired -> answer.completeExceptionally(new TimeoutException());
					case WorkerCalls.Outcome.Failed failed -> {
						log.warn("Prediction {}: worker {} failed; asked nothing for {} s", request.id(),
								worker.endpoint(), SHUNNED_FOR.toSeconds());
						this.shunned.put(worker.endpoint(), System.nanoTime() + SHUNNED_FOR.toNanos());
						ask(request, deadline, asked, answer);
					}
					case WorkerCalls.Outcome.Refused refused -> ask(request, deadline, asked, answer);
				}
			}
			catch (RuntimeException ex) {
				answer.completeExceptionally(ex);
			}
		});
	}

	/** Whether a worker of the model version takes predictions now. */
	boolean ready(String model, String version) {
		return choose(model, version, Set.of()) != null;
	}

	/** The worker with the fewest requests outstanding, not asked yet nor shunned. */
	private WorkerCalls choose(String model, String version, Set<String> asked) {
		List<ModelDeployed> workers = this.catalog.workers(model, version);
		long now = System.nanoTime();
		WorkerCalls best = null;
		int fewest = Integer.MAX_VALUE;
		int offset = (workers.size() > 1) ? ThreadLocalRandom.current().nextInt(workers.size()) : 0;
		for (int i = 0; i < workers.size(); i++) {
			String endpoint = workers.get((offset + i) % workers.size()).endpoint();
			if (endpoint == null || asked.contains(endpoint)) {
				continue;
			}
			Long until = this.shunned.get(endpoint);
			if (until != null) {
				if (until - now > 0) {
					continue;
				}
				this.shunned.remove(endpoint, until);
			}
			WorkerCalls worker = this.workers.computeIfAbsent(endpoint, (key) -> new WorkerCalls(key, this.http,
					this.properties.workerCalls(), this.properties.workerCallRows(), this.callSizes));
			if (worker.outstanding() < fewest) {
				best = worker;
				fewest = worker.outstanding();
			}
		}
		return best;
	}

}
