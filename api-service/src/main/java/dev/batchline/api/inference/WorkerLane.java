package dev.batchline.api.inference;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The synchronous lane to the workers: a prediction goes straight to one worker that
 * serves its model version, over HTTP at the endpoint the worker announces
 * ({@link ModelDeployed#endpoint()}, path {@value PredictionRequested#PATH}), on a
 * kept-alive connection. The worker with the fewest of this replica's requests in flight
 * is asked (ties broken at random). A worker that cannot be reached, or whose connection
 * breaks before it answers (it crashed or stops), is left alone for {@link #SHUNNED_FOR}
 * and the request is asked of another while time is left; a worker that answers 503 (its
 * queue is full, or it stops) is passed over for this request. A request is answered
 * once: the answer of the worker that answered.
 */
@Component
class WorkerLane {

	private static final Logger log = LoggerFactory.getLogger(WorkerLane.class);

	/** How long a worker whose connection failed is asked nothing. */
	static final Duration SHUNNED_FOR = Duration.ofSeconds(5);

	private final ModelCatalog catalog;

	private final HttpClient http;

	/** Endpoint → this replica's requests in flight there. */
	private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

	/** Endpoint → until when ({@link System#nanoTime()}) it is asked nothing. */
	private final Map<String, Long> shunned = new ConcurrentHashMap<>();

	WorkerLane(ModelCatalog catalog, InferenceProperties properties) {
		this.catalog = catalog;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(properties.connectTimeout())
			.build();
	}

	/**
	 * Asks a worker and waits for its answer.
	 * @param request the request
	 * @param timeout how long to wait
	 * @return the answer
	 * @throws TimeoutException when no answer came in time
	 * @throws ApiException {@code model-unavailable} when no worker of the model version
	 * takes predictions, {@code unavailable} when every one asked failed
	 */
	PredictionCompleted ask(PredictionRequested request, Duration timeout) throws TimeoutException {
		long deadline = System.nanoTime() + timeout.toNanos();
		byte[] body = EventCodec.encode(request);
		Set<String> asked = new HashSet<>();
		while (true) {
			String endpoint = choose(request.model(), request.version(), asked);
			if (endpoint == null) {
				throw asked.isEmpty()
						? new ApiException(ProblemKind.MODEL_UNAVAILABLE,
								"No worker takes predictions for model " + request.model() + ":" + request.version()
										+ " at the moment")
							.retryAfter(1)
						: new ApiException(ProblemKind.UNAVAILABLE,
								"The workers asked could not answer the prediction; try again")
							.retryAfter(1);
			}
			asked.add(endpoint);
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new TimeoutException();
			}
			PredictionCompleted answer = send(endpoint, request.id(), body, Duration.ofNanos(left));
			if (answer != null) {
				return answer;
			}
		}
	}

	/** Whether a worker of the model version takes predictions now. */
	boolean ready(String model, String version) {
		return choose(model, version, Set.of()) != null;
	}

	/**
	 * Asks one worker.
	 * @return its answer, or null when it could not answer (ask another)
	 * @throws TimeoutException when it did not answer in time
	 */
	private PredictionCompleted send(String endpoint, String id, byte[] body, Duration timeout)
			throws TimeoutException {
		AtomicInteger requests = this.inFlight.computeIfAbsent(endpoint, (key) -> new AtomicInteger());
		requests.incrementAndGet();
		try {
			HttpResponse<byte[]> response = this.http
				.send(HttpRequest.newBuilder(URI.create(endpoint + PredictionRequested.PATH))
					.timeout(timeout)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofByteArray(body))
					.build(), HttpResponse.BodyHandlers.ofByteArray());
			return switch (response.statusCode()) {
				case 200 -> EventCodec.decode(response.body(), PredictionCompleted.class);
				case 504 -> throw new TimeoutException();
				case 503 -> null;
				default -> throw new IllegalStateException("Prediction " + id + ": worker " + endpoint + " answered "
						+ response.statusCode() + ": " + new String(response.body()));
			};
		}
		catch (HttpTimeoutException ex) {
			throw new TimeoutException();
		}
		catch (IOException ex) {
			log.warn("Prediction {}: worker {} failed ({}); asked nothing for {} s", id, endpoint, ex.toString(),
					SHUNNED_FOR.toSeconds());
			this.shunned.put(endpoint, System.nanoTime() + SHUNNED_FOR.toNanos());
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TimeoutException("interrupted");
		}
		finally {
			requests.decrementAndGet();
		}
	}

	/** The endpoint with the fewest requests in flight, not asked yet nor shunned. */
	private String choose(String model, String version, Set<String> asked) {
		List<ModelDeployed> workers = this.catalog.workers(model, version);
		long now = System.nanoTime();
		String best = null;
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
			AtomicInteger requests = this.inFlight.get(endpoint);
			int count = (requests != null) ? requests.get() : 0;
			if (count < fewest) {
				best = endpoint;
				fewest = count;
			}
		}
		return best;
	}

}
