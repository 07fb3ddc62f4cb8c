package dev.batchline.worker.inference;

import java.time.Duration;

import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ModelRepository.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Warms every served model up before the worker takes a chunk, as TensorFlow Serving's
 * warm-up requests do: a fresh worker predicted the benchmark model at ~40 % of its later
 * rate in its first second (the JIT compiling the batching path, TensorFlow setting
 * itself up), and a worker that joins a backlog should drain it at full speed from its
 * first poll. Runs once all beans are made, before the Kafka listeners start.
 */
@Component
class ModelWarmup implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ModelWarmup.class);

	private final ModelRepository models;

	private final BatchInference inference;

	private final Duration duration;

	ModelWarmup(ModelRepository models, BatchInference inference, WorkerProperties properties) {
		this.models = models;
		this.inference = inference;
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
				int calls = this.inference.warmUp(model, this.duration);
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

}
