package dev.batchline.worker.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Loading a version whose files are still arriving is tried again, a bounded number of
 * times; a {@code saved_model.pb} that is no SavedModel fails at once. Real SavedModels,
 * real DJL, short pauses.
 */
class ModelLoaderTests {

	private static final Duration PAUSE = Duration.ofMillis(10);

	@Test
	void loadsAVersionWhoseVariablesArriveAfterTheFirstAttempt(@TempDir Path root) throws Exception {
		Path dir = ModelWithVariables.export(root.resolve("doubler/1"));
		Path shard = dir.resolve(ModelWithVariables.SHARD);
		Path arriving = Files.move(shard, root.resolve("arriving"));
		Attempts attempts = new Attempts(() -> Files.move(arriving, shard));
		ServedModel model = loader(3, attempts).load(dir);
		try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			assertThat(attempts.failures()).hasSize(1);
			NDArray features = manager.create(new float[][] { { 3, 4 } });
			features.setName("features");
			NDList out = model.predictor().predict(new NDList(features));
			// the weights restored from the shard that came late: 3·1 + 4·2
			assertThat(out.get("out").toFloatArray()).containsExactly(11f);
		}
		finally {
			model.close();
		}
	}

	@Test
	void givesUpAfterTheLastAttemptWhenTheFilesNeverArrive(@TempDir Path root) throws Exception {
		Path dir = ModelWithVariables.export(root.resolve("doubler/1"));
		Files.delete(dir.resolve(ModelWithVariables.SHARD));
		Attempts attempts = new Attempts(Attempts.NOTHING);
		assertThatIllegalStateException().isThrownBy(() -> loader(3, attempts).load(dir))
			.withMessageContaining("doubler:1")
			.withMessageContaining("in 3 attempts");
		assertThat(attempts.failures()).hasSize(3);
	}

	@Test
	void failsAtOnceOnASavedModelPbThatIsNoSavedModel(@TempDir Path root) throws Exception {
		Path dir = Files.createDirectories(root.resolve("garbage/1"));
		Files.writeString(dir.resolve("saved_model.pb"), "garbage, not a protocol buffer", StandardCharsets.UTF_8);
		Attempts attempts = new Attempts(Attempts.NOTHING);
		assertThatIllegalStateException().isThrownBy(() -> loader(3, attempts).load(dir))
			.withMessageContaining("garbage:1")
			.withMessageContaining("is not a SavedModel");
		assertThat(attempts.failures()).hasSize(1);
	}

	@Test
	void triesAnEmptySavedModelPbAgainAsAFileStillBeingWritten(@TempDir Path root) throws Exception {
		Path dir = Files.createDirectories(root.resolve("empty/1"));
		Files.createFile(dir.resolve("saved_model.pb"));
		Attempts attempts = new Attempts(Attempts.NOTHING);
		assertThatIllegalStateException().isThrownBy(() -> loader(2, attempts).load(dir))
			.withMessageContaining("is empty");
		assertThat(attempts.failures()).hasSize(2);
	}

	/** A loader on the CPU that makes {@code attempts} attempts, a short pause apart. */
	private static ModelLoader loader(int attempts, Attempts listener) {
		return new ModelLoader(Device.cpu(), false, attempts, PAUSE, List.of(listener));
	}

	/** Counts the failed attempts, and after the first one lets the files arrive. */
	private static final class Attempts implements RetryListener {

		/** No file arrives. */
		static final FileChange NOTHING = () -> {
		};

		private final List<Throwable> failures = new CopyOnWriteArrayList<>();

		private final FileChange afterFirstFailure;

		Attempts(FileChange afterFirstFailure) {
			this.afterFirstFailure = afterFirstFailure;
		}

		List<Throwable> failures() {
			return this.failures;
		}

		@Override
		public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
				Throwable failure) {
			this.failures.add(failure);
			if (this.failures.size() == 1) {
				try {
					this.afterFirstFailure.run();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}

	}

	@FunctionalInterface
	private interface FileChange {

		void run() throws IOException;

	}

}
