package dev.batchline.worker.model;

import java.util.Map;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/**
 * Tells operators where the worker's models run: {@code worker.device} and
 * {@code worker.gpus} (the GPUs TensorFlow sees) in {@code GET /actuator/info}, and the
 * gauge {@code batchline_worker_device{device}} (1).
 */
@Component
class DeviceReport implements InfoContributor {

	private final String device;

	private final int gpus;

	DeviceReport(ModelRepository models, MeterRegistry meters) {
		this.device = name(models.device());
		this.gpus = Engine.getEngine("TensorFlow").getGpuCount();
		Gauge.builder("batchline.worker.device", () -> 1)
			.description("The device the worker's models and their inputs are on")
			.tag("device", this.device)
			.register(meters);
	}

	@Override
	public void contribute(Info.Builder builder) {
		builder.withDetail("worker", Map.of("device", this.device, "gpus", this.gpus));
	}

	/** {@code cpu} or {@code gpu:N}, as the setting writes it. */
	static String name(Device device) {
		return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
	}

}
