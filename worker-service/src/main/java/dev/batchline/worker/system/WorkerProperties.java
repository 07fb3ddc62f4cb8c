package dev.batchline.worker.system;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the worker ({@code batchline.worker.*}, e.g.
 * {@code BATCHLINE_WORKER_MAX_BATCH_SIZE}).
 *
 * @param maxBatchSize the most rows in one predict call; items of all the chunks of a
 * poll are gathered into batches up to this size
 * @param maxBatchDelay how long the broker may wait to fill a poll (the consumer's
 * {@code fetch.max.wait.ms}): the bound on the delay batching adds
 * @param concurrency consumer threads in this worker, each with its own predictors
 * @param device the DJL device: {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param nativesDir where TensorFlow's native libraries are unpacked (default
 * {@code ~/.batchline/natives/tensorflow-2.10.1-cpu}); {@code TENSORFLOW_LIBRARY_PATH}
 * wins
 * @param modelsRoot the model repository,
 * {@code <root>/<model>/<version>/saved_model.pb}; empty for the bundled one (the Iris
 * model the build trains)
 */
@Validated
@ConfigurationProperties("batchline.worker")
public record WorkerProperties(@DefaultValue("256") @Min(1) int maxBatchSize,
		@DefaultValue("20ms") @NotNull Duration maxBatchDelay, @DefaultValue("1") @Min(1) int concurrency,
		@DefaultValue("cpu") @NotBlank String device, String nativesDir, String modelsRoot) {

	/** The default batch size. */
	public static final int DEFAULT_MAX_BATCH_SIZE = 256;

}
