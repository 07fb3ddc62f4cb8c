package dev.batchline.worker.system;

import java.time.Duration;

import dev.batchline.contracts.ConsumerGroups;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

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
 * @param concurrency consumer threads in this worker: while one waits for Kafka (its
 * poll, its sends, its commit) another's items are predicted
 * @param inferenceThreads threads of this worker that run predict calls, shared by the
 * consumer threads (each inference thread with its own predictors): a consumer thread
 * hands its poll's items to them and waits, so at most this many predict calls run at
 * once
 * @param predictThreads threads of this worker that run synchronous predictions, a lane
 * of their own beside the inference threads (each with its own predictors), so that a
 * prediction never waits behind a batch backlog's calls
 * @param predictMaxDelay how long the prediction lane may wait after a request for more
 * to predict with it in one call (Triton's {@code max_queue_delay}); {@code 0ms}: a call
 * takes what has come, which under load is what came while the previous call ran
 * @param predictQueue the most synchronous predictions waiting for the prediction lane;
 * past it the worker answers 503 and the api-service asks another worker
 * @param groupId the Kafka consumer group of the workers
 * @param device the DJL device: {@code cpu}, {@code gpu} or {@code gpu:N} (a GPU needs
 * GPU natives, e.g. through {@code TENSORFLOW_LIBRARY_PATH})
 * @param nativesDir where TensorFlow's native libraries are unpacked (default
 * {@code ~/.batchline/natives/tensorflow-2.10.1-cpu}); {@code TENSORFLOW_LIBRARY_PATH}
 * wins
 * @param modelsRoot the model repository,
 * {@code <root>/<model>/<version>/saved_model.pb}; empty for the bundled one (the Iris
 * model the build trains)
 * @param warmup how long each model is run on made-up items at start, before the worker
 * takes any chunk, so that its first real batches run at full speed (the JIT compiles the
 * batching path and TensorFlow sets itself up); {@code 0s} turns it off
 * @param inlineOps whether the inference thread that makes a predict call runs its
 * TensorFlow operations one after another itself (TensorFlow's
 * {@code inter_op_parallelism_threads = -1}) instead of handing them to TensorFlow's pool
 * @param cache the result cache of the rows of jobs that ask for it
 */
@Validated
@ConfigurationProperties("batchline.worker")
public record WorkerProperties(@DefaultValue(DEFAULT_MAX_BATCH_SIZE) @Min(1) @Max(65536) int maxBatchSize,
		@DefaultValue(DEFAULT_MAX_BATCH_DELAY) @NotNull Duration maxBatchDelay,
		@DefaultValue(DEFAULT_CONCURRENCY) @Min(1) int concurrency,
		@DefaultValue(DEFAULT_INFERENCE_THREADS) @Min(1) @Max(256) int inferenceThreads,
		@DefaultValue(DEFAULT_PREDICT_THREADS) @Min(1) @Max(256) int predictThreads,
		@DefaultValue(DEFAULT_PREDICT_MAX_DELAY) @NotNull Duration predictMaxDelay,
		@DefaultValue(DEFAULT_PREDICT_QUEUE) @Min(1) int predictQueue,
		@DefaultValue(DEFAULT_GROUP_ID) @NotBlank String groupId,
		@DefaultValue(DEFAULT_DEVICE) @NotBlank @Pattern(regexp = "cpu|gpu(:\\d+)?") String device, String nativesDir,
		String modelsRoot, @DefaultValue(DEFAULT_WARMUP) @NotNull Duration warmup,
		@DefaultValue(DEFAULT_INLINE_OPS) boolean inlineOps, @DefaultValue @NotNull @Valid Cache cache) {

	/** Rows per predict call: ~2M rows/s per thread on the Iris model (see the notes). */
	private static final String DEFAULT_MAX_BATCH_SIZE = "256";

	/** Bounded wait for a fuller poll; small next to a predict call's latency budget. */
	private static final String DEFAULT_MAX_BATCH_DELAY = "20ms";

	/** One consumer thread; scale with replicas or this. */
	private static final String DEFAULT_CONCURRENCY = "1";

	/**
	 * One predict call at a time: TensorFlow spreads each call over the worker's cores
	 * itself (and a GPU runs one stream).
	 */
	private static final String DEFAULT_INFERENCE_THREADS = "1";

	/** One thread: a synchronous prediction is small, and batched with its neighbours. */
	private static final String DEFAULT_PREDICT_THREADS = "1";

	/** Gather only what has come: no added latency. */
	private static final String DEFAULT_PREDICT_MAX_DELAY = "0ms";

	/** Some seconds of one-row requests at the lane's rate here (~4,000 calls/s). */
	private static final String DEFAULT_PREDICT_QUEUE = "10000";

	/** The consumer group every worker replica joins. */
	private static final String DEFAULT_GROUP_ID = ConsumerGroups.WORKERS;

	/**
	 * A fresh worker predicted the benchmark model at ~40 % of its later rate in its
	 * first second and reached it after ~2.5 s (docs/benchmarks.md).
	 */
	private static final String DEFAULT_WARMUP = "3s";

	/** CPU inference. */
	private static final String DEFAULT_DEVICE = "cpu";

	/**
	 * TensorFlow's pool runs the operations, as in TensorFlow itself: a graph's
	 * independent branches run at once.
	 */
	private static final String DEFAULT_INLINE_OPS = "false";

	/**
	 * The worker's result cache ({@code batchline.worker.cache.*}): outputs of a model
	 * version by the hash of a row as the model sees it, for the rows of chunks whose job
	 * asked for the cache.
	 *
	 * @param maxBytes the most bytes of cached outputs (with their keys) the worker
	 * keeps; least recently used go first
	 * @param expireAfter how long an output stays cached after it was written
	 */
	public record Cache(@DefaultValue(DEFAULT_CACHE_MAX_BYTES) @Min(0) long maxBytes,
			@DefaultValue(DEFAULT_CACHE_EXPIRE_AFTER) @NotNull Duration expireAfter) {

		/** 64 MiB: the api-service's cache of synchronous predictions holds as much. */
		private static final String DEFAULT_CACHE_MAX_BYTES = "67108864";

		/** An hour, as the api-service's. */
		private static final String DEFAULT_CACHE_EXPIRE_AFTER = "1h";

	}

}
