package dev.batchline.testsupport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;

/**
 * The tests' shared fixtures: the Iris model's signature as the bundled SavedModel has
 * it, models announced by workers, Iris items, and job events, so that no test spells
 * them again.
 */
public final class Fixtures {

	/** The bundled Iris model's input: four measurements per item. */
	public static final TensorSpec IRIS_FEATURES = new TensorSpec("features", "float32", List.of(-1L, 4L));

	/**
	 * The bundled Iris model's {@code serving_default} signature: {@code features} to
	 * {@code class_id} and {@code probabilities}.
	 */
	public static final ModelSignature IRIS = new ModelSignature(List.of(IRIS_FEATURES),
			List.of(new TensorSpec("class_id", "int64", List.of(-1L)),
					new TensorSpec("probabilities", "float32", List.of(-1L, 3L))));

	/** The Iris model's input alone, which is all a tensor chunk is encoded against. */
	public static final ModelSignature IRIS_INPUT = new ModelSignature(List.of(IRIS_FEATURES), List.of());

	/** Four Iris rows, one of each kind and one in between, as JSON arrays. */
	public static final List<String> IRIS_ROWS = List.of("[5.1,3.5,1.4,0.2]", "[7.0,3.2,4.7,1.4]", "[6.3,3.3,6.0,2.5]",
			"[5.9,3.0,5.1,1.8]");

	/**
	 * The tests' key that seals webhook secrets ({@code batchline.secrets.key}); the
	 * api-service's and dispatcher's tests set it in their
	 * {@code config/application.properties}.
	 */
	public static final String SECRETS_KEY = "IF8ii7zqyAVBTh1j7u9sy7DcoIUbT5cgkmATDlNF5UE=";

	private Fixtures() {
	}

	/**
	 * A signature of one input and one output of the given element type and shape.
	 * @param input the input's name
	 * @param dtype the input's element type, e.g. {@code float32}
	 * @param shape the input's shape, {@code -1} for free dimensions
	 * @return the signature, with one {@code float32} output {@code out} of shape [-1]
	 */
	public static ModelSignature signature(String input, String dtype, long... shape) {
		List<Long> dims = new ArrayList<>(shape.length);
		for (long dim : shape) {
			dims.add(dim);
		}
		return new ModelSignature(List.of(new TensorSpec(input, dtype, dims)),
				List.of(new TensorSpec("out", "float32", List.of(-1L))));
	}

	/** Iris version 1 as a worker announces it. */
	public static ModelDeployed irisDeployed() {
		return deployed("iris", "1", IRIS);
	}

	/** A model version as a worker announces it, with a best batch of 256 rows. */
	public static ModelDeployed deployed(String name, String version, ModelSignature signature) {
		return new ModelDeployed(name, version, signature, 256, Instant.now());
	}

	/** {@code count} Iris items as a JSON array, cycling through {@link #IRIS_ROWS}. */
	public static String irisInstances(int count) {
		StringBuilder json = new StringBuilder(count * 20).append('[');
		for (int i = 0; i < count; i++) {
			json.append((i > 0) ? "," : "").append(IRIS_ROWS.get(i % IRIS_ROWS.size()));
		}
		return json.append(']').toString();
	}

	/** A job event builder, for a job of the given tenant that just finished. */
	public static JobEventBuilder aJobEvent(UUID tenantId) {
		return new JobEventBuilder(tenantId);
	}

	/**
	 * Builds {@link JobEvent}s: a succeeded Iris job of 3 items unless told otherwise.
	 */
	public static final class JobEventBuilder {

		private final UUID tenantId;

		private UUID jobId = UUID.randomUUID();

		private String type = JobEvent.SUCCEEDED;

		private long total = 3;

		private long succeeded = 3;

		private long failed;

		private String callbackUrl;

		private JobEventBuilder(UUID tenantId) {
			this.tenantId = tenantId;
		}

		public JobEventBuilder type(String type) {
			this.type = type;
			return this;
		}

		public JobEventBuilder job(UUID jobId) {
			this.jobId = jobId;
			return this;
		}

		public JobEventBuilder counts(long total, long succeeded, long failed) {
			this.total = total;
			this.succeeded = succeeded;
			this.failed = failed;
			return this;
		}

		public JobEventBuilder callbackUrl(String callbackUrl) {
			this.callbackUrl = callbackUrl;
			return this;
		}

		public JobEvent build() {
			String state = this.type.substring("job.".length()).toUpperCase(Locale.ROOT);
			return new JobEvent(UUID.randomUUID(), this.type, Instant.now(), this.jobId, this.tenantId, "iris", "1",
					state, "test", this.total, this.succeeded, this.failed, this.callbackUrl);
		}

	}

}
