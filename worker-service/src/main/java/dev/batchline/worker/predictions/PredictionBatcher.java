package dev.batchline.worker.predictions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.worker.batching.BatchInference;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.threads.InferenceStoppedException;
import dev.batchline.worker.threads.Lane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The prediction lane's queue. Synchronous predictions wait here, and each of the lane's
 * {@code predict-threads} takes every request waiting (up to {@code max-batch-size} rows,
 * after waiting up to {@code predict-max-delay} for more) and predicts their rows
 * together per model version: dynamic batching, as Triton's, where the requests that came
 * while the previous call ran make the next batch. A request whose deadline passed while
 * it waited is dropped unpredicted (nobody waits for it). Counted in
 * {@code batchline.worker.predictions{outcome=answered|expired|refused}}.
 */
@Component
class PredictionBatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PredictionBatcher.class);

	/** How often an idle lane thread looks whether the worker stops. */
	private static final long IDLE_POLL_MILLIS = 100;

	private final ModelRepository models;

	private final BatchInference inference;

	private final BlockingQueue<Waiting> queue;

	private final int maxBatchSize;

	private final long maxDelayNanos;

	private final List<Thread> threads = new ArrayList<>();

	private final Counter answered;

	private final Counter expired;

	private final Counter refused;

	private volatile boolean running;

	PredictionBatcher(ModelRepository models, BatchInference inference, WorkerProperties properties,
			MeterRegistry meters) {
		this.models = models;
		this.inference = inference;
		this.queue = new ArrayBlockingQueue<>(properties.predictQueue());
		this.maxBatchSize = properties.maxBatchSize();
		this.maxDelayNanos = properties.predictMaxDelay().toNanos();
		for (int t = 0; t < properties.predictThreads(); t++) {
			Thread thread = new Thread(this::run, "prediction-batcher-" + t);
			thread.setDaemon(true);
			this.threads.add(thread);
		}
		this.answered = meters.counter("batchline.worker.predictions", "outcome", "answered");
		this.expired = meters.counter("batchline.worker.predictions", "outcome", "expired");
		this.refused = meters.counter("batchline.worker.predictions", "outcome", "refused");
	}

	/**
	 * Queues a request for the lane.
	 * @param request the request
	 * @return its rows' results once predicted; completed exceptionally with
	 * {@link RefusedException} when the worker stops first, or
	 * {@link DeadlinePassedException}
	 * @throws RefusedException when {@code predict-queue} requests wait already, or the
	 * worker stops
	 */
	CompletableFuture<ItemResults> submit(PredictionRequested request) {
		CompletableFuture<ItemResults> answer = new CompletableFuture<>();
		if (!this.running || !this.queue.offer(new Waiting(request, answer))) {
			this.refused.increment();
			throw new RefusedException(this.running
					? "the prediction lane's queue is full (batchline.worker.predict-queue)" : "the worker stops");
		}
		return answer;
	}

	private void run() {
		while (this.running) {
			try {
				Waiting first = this.queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
				if (first != null) {
					answer(gather(first));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				// answer() completes every request it took; this keeps the thread alive
				log.error("The prediction lane failed a batch", ex);
			}
		}
	}

	/** The first request and those that wait with it, up to a batch of rows. */
	private List<Waiting> gather(Waiting first) throws InterruptedException {
		List<Waiting> batch = new ArrayList<>();
		batch.add(first);
		int rows = first.request().instances().size();
		long end = System.nanoTime() + this.maxDelayNanos;
		while (rows < this.maxBatchSize) {
			Waiting next = this.queue.poll();
			if (next == null && this.maxDelayNanos > 0) {
				next = this.queue.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			if (next == null) {
				break;
			}
			batch.add(next);
			rows += next.request().instances().size();
		}
		return batch;
	}

	private void answer(List<Waiting> batch) {
		Instant now = Instant.now();
		Map<String, List<Waiting>> byModel = new LinkedHashMap<>();
		for (Waiting waiting : batch) {
			PredictionRequested request = waiting.request();
			if (request.deadline() != null && request.deadline().isBefore(now)) {
				this.expired.increment();
				waiting.answer().completeExceptionally(new DeadlinePassedException());
				continue;
			}
			byModel.computeIfAbsent(request.model() + ":" + request.version(), (key) -> new ArrayList<>()).add(waiting);
		}
		byModel.values().forEach(this::predict);
	}

	private void predict(List<Waiting> requests) {
		PredictionRequested first = requests.get(0).request();
		Optional<ServedModel> model = this.models.find(first.model(), first.version());
		if (model.isEmpty()) {
			requests.forEach(
					(waiting) -> complete(waiting, failed(waiting.request(), new ItemError(ItemError.MODEL_UNAVAILABLE,
							"model " + first.model() + ":" + first.version() + " is not served by this worker"))));
			return;
		}
		try {
			List<ItemResults> results = this.inference.predict(Lane.PREDICT, model.get(),
					requests.stream().map((waiting) -> ChunkItems.trees(0, waiting.request().instances())).toList());
			for (int i = 0; i < requests.size(); i++) {
				complete(requests.get(i), results.get(i));
			}
		}
		catch (InferenceStoppedException ex) {
			// shutting down: the api-service asks another worker
			requests
				.forEach((waiting) -> waiting.answer().completeExceptionally(new RefusedException("the worker stops")));
		}
		catch (RuntimeException ex) {
			log.warn("Predictions for model {}:{} failed: {}", first.model(), first.version(), ex.toString());
			requests.forEach((waiting) -> complete(waiting, failed(waiting.request(),
					new ItemError(ItemError.MODEL_ERROR, "the model failed on the request: " + ex.getMessage()))));
		}
	}

	private void complete(Waiting waiting, ItemResults results) {
		waiting.answer().complete(results);
		this.answered.increment();
	}

	private static ItemResults failed(PredictionRequested request, ItemError error) {
		List<ItemResult> rows = new ArrayList<>(request.instances().size());
		for (int r = 0; r < request.instances().size(); r++) {
			rows.add(ItemResult.failure(r, error));
		}
		return ItemResults.of(rows);
	}

	@Override
	public void start() {
		this.running = true;
		this.threads.forEach(Thread::start);
	}

	/**
	 * Takes no more requests, lets the lane's threads finish the batch each has, and
	 * refuses the requests still queued ({@link RefusedException}).
	 */
	@Override
	public void stop() {
		this.running = false;
		for (Thread thread : this.threads) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		List<Waiting> left = new ArrayList<>();
		this.queue.drainTo(left);
		left.forEach((waiting) -> waiting.answer().completeExceptionally(new RefusedException("the worker stops")));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops after the models are withdrawn (so the api-service sends no more) and before
	 * the inference threads close.
	 */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

	private record Waiting(PredictionRequested request, CompletableFuture<ItemResults> answer) {
	}

	/** The lane's queue is full, or the worker stops: the asker tries another worker. */
	static final class RefusedException extends RuntimeException {

		RefusedException(String reason) {
			super(reason, null, false, false);
		}

	}

	/** The request waited past its deadline; nobody waits for its answer. */
	static final class DeadlinePassedException extends RuntimeException {

		DeadlinePassedException() {
			super("the request's deadline passed before its turn", null, false, false);
		}

	}

}
