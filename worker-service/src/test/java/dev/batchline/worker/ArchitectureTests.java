package dev.batchline.worker;

import dev.batchline.testsupport.Floors;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages are floors, from configuration at the bottom to the Kafka intake
 * at the top, and no import runs up a floor.
 */
class ArchitectureTests {

	@Test
	void noPackageOfTheWorkerUsesAPackageAboveIt() {
		Floors
			.of("dev.batchline.worker", "system", "threads", "model", "items", "tensors", "outputs", "caching",
					"batching", "warmup", "intake", "predictions")
			.assertNoUpwardImports();
	}

}
