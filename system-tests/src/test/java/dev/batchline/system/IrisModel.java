package dev.batchline.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

/**
 * The Iris SavedModel that the worker-service build trains, loaded with DJL in the test's
 * own JVM: what the workers must answer, item by item. The TensorFlow natives are the
 * ones the workers unpacked, so load it after a worker has started.
 */
public final class IrisModel implements AutoCloseable {

	private static final Path NATIVES = Path.of(System.getProperty("user.home"), ".batchline", "natives",
			"tensorflow-2.10.1-cpu");

	private final ZooModel<NDList, NDList> model;

	private final Predictor<NDList, NDList> predictor;

	private IrisModel(ZooModel<NDList, NDList> model) {
		this.model = model;
		this.predictor = model.newPredictor();
	}

	/**
	 * Loads {@code worker-service/target/classes/model-repository/iris/1}.
	 * @param root the repository root
	 * @return the model
	 */
	public static IrisModel load(Path root) throws IOException {
		System.setProperty("TENSORFLOW_LIBRARY_PATH", NATIVES.toString());
		Criteria<NDList, NDList> criteria = Criteria.builder()
			.setTypes(NDList.class, NDList.class)
			.optEngine("TensorFlow")
			.optModelPath(root.resolve("worker-service/target/classes/model-repository/iris/1"))
			.optTranslator(new NoopTranslator(null))
			.build();
		try {
			return new IrisModel(criteria.loadModel());
		}
		catch (ModelNotFoundException | MalformedModelException ex) {
			throw new IOException("Could not load the Iris model: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The model's outputs for the rows, in one predict call.
	 * @param rows the measurements (4 per row)
	 * @return class id and probabilities per row
	 */
	public Outputs predict(List<float[]> rows) throws TranslateException {
		try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			NDArray features = manager.create(rows.toArray(float[][]::new));
			features.setName("features");
			NDList outputs = this.predictor.predict(new NDList(features));
			float[] flat = outputs.get("probabilities").toFloatArray();
			long[] classes = outputs.get("class_id").toLongArray();
			float[][] probabilities = new float[rows.size()][];
			for (int i = 0; i < rows.size(); i++) {
				probabilities[i] = Arrays.copyOfRange(flat, i * 3, i * 3 + 3);
			}
			return new Outputs(classes, probabilities);
		}
	}

	@Override
	public void close() {
		this.predictor.close();
		this.model.close();
	}

	/**
	 * The 150 measurements of the Iris data set (without the species), as the worker's
	 * build trains on them.
	 * @param root the repository root
	 * @return the rows
	 */
	public static List<float[]> dataSet(Path root) throws IOException {
		return Files.readAllLines(root.resolve("engine/src/main/resources/iris.csv"))
			.stream()
			.skip(1)
			.filter((line) -> !line.isBlank())
			.map((line) -> line.split(","))
			.map((f) -> new float[] { Float.parseFloat(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]),
					Float.parseFloat(f[3]) })
			.toList();
	}

	/**
	 * The Iris measurements repeated to {@code count} rows.
	 * @param root the repository root
	 * @param count how many rows
	 * @return the rows
	 */
	public static List<float[]> repeated(Path root, int count) throws IOException {
		List<float[]> iris = dataSet(root);
		List<float[]> rows = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			rows.add(iris.get(i % iris.size()));
		}
		return rows;
	}

	/** A row as the JSON array an {@code instances} entry holds. */
	public static String json(float[] row) {
		return "[" + row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "]";
	}

	/**
	 * The model's outputs.
	 *
	 * @param classes the predicted class of each row
	 * @param probabilities the three class probabilities of each row
	 */
	public record Outputs(long[] classes, float[][] probabilities) {
	}

}
