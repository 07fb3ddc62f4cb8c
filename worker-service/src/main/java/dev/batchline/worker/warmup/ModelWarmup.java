package dev.batchline.worker.warmup;

import java.time.Duration;
import java.util.Optional;

import ai.djl.translate.TranslateException;
import dev.batchline.contracts.ItemResults;
import dev.batchline.worker.batching.PredictCall;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.threads.InferenceThreads;
import dev.batchline.worker.threads.Lane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Warms every served model up before the worker takes a chunk, as TensorFlow Serving's
 * warm-up requests do: a fresh worker predicted the benchmark model at ~40 % of its later
 * rate in its first second (the JIT compiling the batching path, TensorFlow setting
 * itself up), and a worker that joins a backlog should drain it at full speed from its
 * first poll. Runs once all beans are made, before the Kafka listeners start, on the
 * inference threads that real batches use (and then on the prediction lane's, with one
 * row a call); nothing of it is counted in the metrics.
 */
@Component
class ModelWarmup implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ModelWarmup.class);

	private final ModelRepository models;

	/** The most time the prediction lane warms a model up for. */
	private static final Duration PREDICT_LANE_WARMUP = Duration.ofSeconds(1);

	private final InferenceThreads threads;

	private final PredictCall calls;

	private final int batch;

	private final Duration duration;

	ModelWarmup(ModelRepository models, InferenceThreads threads, PredictCall calls, WorkerProperties properties) {
		this.models = models;
		this.threads = threads;
		this.calls = calls;
		this.batch = properties.maxBatchSize();
		this.duration = properties.warmup();
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.duration.isZero() || this.duration.isNegative()) {
			return;
		}
		for (ServedModel model : this.models.all()) {
			long start = System.nanoTime();
			try {
				int calls = warmUp(model, this.duration);
				if (calls == 0) {
					log.info("Model {}:{} not warmed up: its inputs cannot be made up", model.name(), model.version());
				}
				else {
					log.info("Model {}:{} warmed up in {} ms ({} predict calls)", model.name(), model.version(),
							(System.nanoTime() - start) / 1_000_000, calls);
				}
			}
			catch (RuntimeException ex) {
				// a model that cannot take made-up items may still take real ones
				log.warn("Model {}:{} could not be warmed up: {}", model.name(), model.version(), ex.toString());
			}
		}
	}

	/**
	 * Runs a model on one batch of {@code max-batch-size} made-up rows again and again
	 * until {@code duration} has passed (at least once), on an inference thread.
	 * @param model the model version
	 * @param duration how long
	 * @return the predict calls made, or 0 when the model's input cannot be made up
	 * @throws IllegalStateException when the model fails on the made-up items
	 */
	int warmUp(ServedModel model, Duration duration) {
		Optional<ChunkItems> items = MadeUpItems.of(model, this.batch);
		if (items.isEmpty()) {
			return 0;
		}
		int calls = this.threads.call(() -> repeat(model, items.get(), duration));
		// the prediction lane's threads have predictors of their own, mostly for one row
		Optional<ChunkItems> row = MadeUpItems.of(model, 1);
		Duration rowDuration = duration.compareTo(PREDICT_LANE_WARMUP) < 0 ? duration : PREDICT_LANE_WARMUP;
		return calls + this.threads.call(Lane.PREDICT, () -> repeat(model, row.get(), rowDuration));
	}

	private int repeat(ServedModel model, ChunkItems items, Duration duration) {
		long end = System.nanoTime() + duration.toNanos();
		int calls = 0;
		do {
			ItemResults results;
			try {
				results = this.calls.unmeasured(model, items);
			}
			catch (TranslateException | RuntimeException ex) {
				throw new IllegalStateException(ex.getMessage(), ex);
			}
			if (results.failed() > 0) {
				throw new IllegalStateException(
						results.failed() + " of " + results.size() + " made-up items failed, e.g. "
								+ results.toList()
									.stream()
									.filter((item) -> item.error() != null)
									.findFirst()
									.map((item) -> item.error().message())
									.orElse("?"));
			}
			calls++;
		}
		while (System.nanoTime() < end);
		return calls;
	}

}
