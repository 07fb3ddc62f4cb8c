package dev.batchline.worker.warmup;

import java.time.Duration;

import dev.batchline.worker.batching.PredictCall;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.system.WorkerPropertiesFixtures;
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.threads.InferenceThreads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up runs the bundled Iris model on made-up items (real DJL) for as long as it
 * is told, at least once, and leaves the metrics to real work.
 */
class ModelWarmupTests {

	@Test
	void warmsAModelUpOnMadeUpItemsWithoutCountingThem() {
		WorkerProperties properties = WorkerPropertiesFixtures.withBatch(16, false);
		ModelRepository repository = new ModelRepository(properties);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		try (InferenceThreads threads = new InferenceThreads(properties)) {
			ModelWarmup warmup = new ModelWarmup(repository, threads, new PredictCall(meters), properties);
			ServedModel iris = repository.find("iris", null).orElseThrow();
			// the first call is the slow one: the predictor is made, TensorFlow sets
			// itself up; one on each lane
			assertThat(warmup.warmUp(iris, Duration.ZERO)).isEqualTo(2);
			assertThat(warmup.warmUp(iris, Duration.ofMillis(300))).isGreaterThan(1);
			assertThat(meters.find("batchline.worker.predict").timers()).isEmpty();
			assertThat(meters.find("batchline.worker.batch.size").summaries())
				.allSatisfy((sizes) -> assertThat(sizes.count()).isZero());
		}
		finally {
			repository.destroy();
		}
	}

}
