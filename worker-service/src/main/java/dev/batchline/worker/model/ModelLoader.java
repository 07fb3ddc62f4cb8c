package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.engine.InlineOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.exceptions.TensorFlowException;

import org.springframework.retry.RetryListener;
import org.springframework.retry.support.RetryTemplate;

/**
 * Loads one version folder of the repository ({@code <root>/<model>/<version>}) through
 * DJL, on the worker's device and with its inline-ops setting, for raw {@link NDList}s in
 * and out: the worker makes its input tensors and reads its output tensors itself.
 * <p>
 * A version's files may still be arriving when the worker starts (a SavedModel being
 * copied or synced into a shared repository): {@code saved_model.pb} missing or empty, a
 * variables shard missing or short, which TensorFlow reports when it restores the
 * variables. Such a load is tried again in the same process, a bounded number of times
 * with a growing pause (as TensorFlow Serving retries a failed load), through
 * spring-retry's {@link RetryTemplate}. A {@code saved_model.pb} that is not a SavedModel
 * with a serving signature never becomes one by waiting: it fails at once. A
 * {@code saved_model.pb} cut short while it is written cannot be told from a broken one,
 * so a version is best published by writing it elsewhere and renaming it into place.
 */
final class ModelLoader {

	/** Attempts at one version: the first and up to three more. */
	static final int ATTEMPTS = 4;

	/**
	 * The pause after the first failed attempt, doubled after each up to four times it:
	 * 0.5 s, 1 s, 2 s.
	 */
	static final Duration FIRST_PAUSE = Duration.ofMillis(500);

	/** What a retry can mend: files that are not there yet, or not complete. */
	private static final List<Class<? extends Throwable>> TRANSIENT = List.of(IOException.class,
			ModelNotFoundException.class, TensorFlowException.class);

	private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

	private final Device device;

	private final boolean inlineOps;

	private final int attempts;

	private final RetryTemplate retry;

	ModelLoader(Device device, boolean inlineOps) {
		this(device, inlineOps, ATTEMPTS, FIRST_PAUSE, List.of());
	}

	/**
	 * A loader with its own retry bounds.
	 * @param device where the models run
	 * @param inlineOps whether the calling thread runs a predict call's operations
	 * @param attempts attempts at one version
	 * @param firstPause the pause after the first failed attempt, doubled after each
	 * @param listeners told of every attempt
	 */
	ModelLoader(Device device, boolean inlineOps, int attempts, Duration firstPause, List<RetryListener> listeners) {
		this.device = device;
		this.inlineOps = inlineOps;
		this.attempts = attempts;
		this.retry = RetryTemplate.builder()
			.maxAttempts(attempts)
			.exponentialBackoff(firstPause, 2, firstPause.multipliedBy(4))
			.retryOn(TRANSIENT)
			.withListeners(listeners)
			.build();
	}

	/**
	 * Loads the version in {@code dir}, trying again while its files may still be
	 * arriving.
	 * @param dir the version folder
	 * @return the model, ready to predict
	 * @throws IllegalStateException when it is no SavedModel the worker can serve, or
	 * could not be loaded in the last attempt
	 */
	ServedModel load(Path dir) {
		String name = dir.getParent().getFileName().toString();
		String version = dir.getFileName().toString();
		int[] made = { 0 };
		try {
			return this.retry.execute((context) -> {
				made[0] = context.getRetryCount() + 1;
				if (context.getLastThrowable() != null) {
					log.warn("Model {}:{} at {} not loaded in attempt {} of {} ({}), trying again", name, version, dir,
							made[0] - 1, this.attempts, context.getLastThrowable().toString());
				}
				return loadOnce(dir, name, version);
			});
		}
		catch (MalformedModelException ex) {
			throw new IllegalStateException(
					"Model " + name + ":" + version + " at " + dir + " cannot be served: " + ex.getMessage(), ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not load model " + name + ":" + version + " at " + dir + " in "
					+ made[0] + ((made[0] == 1) ? " attempt" : " attempts") + ": " + ex, ex);
		}
	}

	private ServedModel loadOnce(Path dir, String name, String version) throws IOException, ModelException {
		ModelSignature signature = SavedModelSignature.read(dir);
		Criteria<NDList, NDList> criteria = InlineOps
			.apply(Criteria.builder()
				.setTypes(NDList.class, NDList.class)
				.optEngine("TensorFlow")
				.optModelPath(dir)
				.optDevice(this.device)
				.optTranslator(new NoopTranslator(null)), this.inlineOps)
			.build();
		ZooModel<NDList, NDList> model = criteria.loadModel();
		String fingerprint;
		try {
			// of the files as loaded: complete by now
			fingerprint = ModelFingerprint.of(dir);
		}
		catch (IOException | RuntimeException ex) {
			model.close();
			throw ex;
		}
		List<String> inputOrder = (model.describeInput() != null) ? model.describeInput().keys()
				: signature.inputs().stream().map((input) -> input.name()).toList();
		log.info("Model {}:{} loaded from {} on {}{} (inputs {}, outputs {}, fingerprint {})", name, version, dir,
				this.device, this.inlineOps ? ", operations on the calling thread" : "", signature.inputs(),
				signature.outputs(), fingerprint);
		return ServedModel.loaded(name, version, signature, inputOrder, model, fingerprint);
	}

}
