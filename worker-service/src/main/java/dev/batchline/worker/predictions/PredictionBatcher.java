package dev.batchline.worker.predictions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * The prediction lane's queue. Synchronous predictions wait here, the requests of one
 * call together, and each of the lane's {@code predict-threads} takes every call waiting
 * (up to {@code max-batch-size} rows, after waiting up to {@code predict-max-delay} for
 * more) and predicts their rows together per model version: dynamic batching, as
 * Triton's, where the requests that came while the previous call ran make the next batch.
 * A request whose deadline passed while it waited is dropped unpredicted (nobody waits
 * for it). Counted in
 * {@code batchline.worker.predictions{outcome=answered|expired|refused}}.
 */
@Component
class PredictionBatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PredictionBatcher.class);

	/** How often an idle lane thread looks whether the worker stops. */
	private static final long IDLE_POLL_MILLIS = 100;

	private final ModelRepository models;

	private final BatchInference inference;

	/** The calls waiting, each its requests. */
	private final BlockingQueue<List<Waiting>> queue = new LinkedBlockingQueue<>();

	/** Requests in {@link #queue}, at most {@link #capacity}. */
	private final AtomicInteger queued = new AtomicInteger();

	private final int capacity;

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
		this.capacity = properties.predictQueue();
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
	 * Queues the requests of a call for the lane, together, as far as the queue has room
	 * ({@code predict-queue} requests).
	 * @param requests the requests
	 * @return each request's rows' results once predicted, in order; completed
	 * exceptionally with {@link RefusedException} for the requests the queue had no room
	 * for, or all when the worker stops, and with {@link DeadlinePassedException} for a
	 * request whose deadline passed before its turn
	 */
	List<CompletableFuture<ItemResults>> submit(List<PredictionRequested> requests) {
		int taken = this.running ? reserve(requests.size()) : 0;
		List<Waiting> call = new ArrayList<>(taken);
		List<CompletableFuture<ItemResults>> answers = new ArrayList<>(requests.size());
		for (PredictionRequested request : requests) {
			CompletableFuture<ItemResults> answer = new CompletableFuture<>();
			if (call.size() < taken) {
				call.add(new Waiting(request, answer));
			}
			else {
				this.refused.increment();
				answer.completeExceptionally(new RefusedException(this.running
						? "the prediction lane's queue is full (batchline.worker.predict-queue)" : "the worker stops"));
			}
			answers.add(answer);
		}
		if (!call.isEmpty()) {
			this.queue.add(call);
			if (!this.running && this.queue.remove(call)) {
				// the worker began to stop meanwhile, and its last look at the queue
				// missed it
				this.queued.addAndGet(-call.size());
				call.forEach(
						(waiting) -> waiting.answer().completeExceptionally(new RefusedException("the worker stops")));
			}
		}
		return answers;
	}

	/** Reserves room in the queue for up to {@code wanted} requests: how many it got. */
	private int reserve(int wanted) {
		while (true) {
			int now = this.queued.get();
			int room = Math.min(wanted, this.capacity - now);
			if (room <= 0) {
				return 0;
			}
			if (this.queued.compareAndSet(now, now + room)) {
				return room;
			}
		}
	}

	private void run() {
		while (this.running) {
			try {
				List<Waiting> first = this.queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
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

	/** The first call and those that wait with it, up to a batch of rows. */
	private List<Waiting> gather(List<Waiting> first) throws InterruptedException {
		List<Waiting> batch = new ArrayList<>();
		int rows = take(first, batch);
		long end = System.nanoTime() + this.maxDelayNanos;
		while (rows < this.maxBatchSize) {
			List<Waiting> next = this.queue.poll();
			if (next == null && this.maxDelayNanos > 0) {
				next = this.queue.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			if (next == null) {
				break;
			}
			rows += take(next, batch);
		}
		return batch;
	}

	/** Moves a call's requests from the queue into the batch: their rows. */
	private int take(List<Waiting> call, List<Waiting> batch) {
		this.queued.addAndGet(-call.size());
		batch.addAll(call);
		int rows = 0;
		for (Waiting waiting : call) {
			rows += waiting.request().instances().size();
		}
		return rows;
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
		List<List<Waiting>> left = new ArrayList<>();
		this.queue.drainTo(left);
		left.forEach((call) -> call
			.forEach((waiting) -> waiting.answer().completeExceptionally(new RefusedException("the worker stops"))));
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
