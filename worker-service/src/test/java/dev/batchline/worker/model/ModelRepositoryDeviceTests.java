package dev.batchline.worker.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.batchline.worker.system.WorkerPropertiesFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The worker runs on the device it is told, or not at all: a GPU that TensorFlow does not
 * see stops it as it starts, and the models and the arrays made for them are on the
 * configured device.
 */
class ModelRepositoryDeviceTests {

	@Test
	void aGpuTheEngineDoesNotSeeIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> ModelRepository.usableDevice("gpu", 0))
			.withMessageContaining("gpu")
			.withMessageContaining("no GPU");
		assertThatIllegalStateException().isThrownBy(() -> ModelRepository.usableDevice("gpu:1", 1))
			.withMessageContaining("1 GPU(s)");
		assertThat(ModelRepository.usableDevice("gpu:1", 2)).isEqualTo(Device.gpu(1));
		assertThat(ModelRepository.usableDevice("cpu", 0)).isEqualTo(Device.cpu());
		assertThat(DeviceReport.name(Device.gpu(2))).isEqualTo("gpu:2");
		assertThat(DeviceReport.name(Device.cpu())).isEqualTo("cpu");
	}

	@Test
	void aWorkerToldToUseAGpuOnAMachineWithoutOneDoesNotStart() {
		assumeTrue(Engine.getEngine("TensorFlow").getGpuCount() == 0, "this machine has a GPU");
		assertThatIllegalStateException()
			.isThrownBy(() -> new ModelRepository(WorkerPropertiesFixtures.onDevice("gpu")).destroy())
			.withMessageContaining("TensorFlow sees no GPU");
	}

	@Test
	void theModelsAndTheArraysMadeForThemAreOnTheConfiguredDevice() throws Exception {
		ModelRepository repository = new ModelRepository(WorkerPropertiesFixtures.onDevice("cpu"));
		try {
			assertThat(repository.all()).isNotEmpty().allSatisfy((model) -> {
				assertThat(model.device()).isEqualTo(repository.device());
				try (NDManager manager = NDManager.newBaseManager(model.device(), "TensorFlow")) {
					assertThat(manager.create(new float[] { 1, 2, 3, 4 }).getDevice()).isEqualTo(repository.device());
				}
			});
		}
		finally {
			repository.destroy();
		}
	}

}
