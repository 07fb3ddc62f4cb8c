package dev.batchline.engine;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.framework.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Trains the bundled Iris model at build time and exports it as a frozen TensorFlow
 * SavedModel ({@code <out>/iris/1/saved_model.pb}, weights as constants, no variables
 * folder): an MLP 4 → 16 (ReLU) → 3 (softmax) with the inputs standardised inside the
 * graph. TensorFlow (DJL's bundled TensorFlow Java) trains it: full-batch gradient
 * descent with momentum on the mean cross-entropy, from seeded initial weights on one
 * thread, so every build makes the same weights. The serving signature is
 * {@code serving_default}: input {@code features} float32 [-1, 4], outputs
 * {@code probabilities} float32 [-1, 3] and {@code class_id} int64 [-1].
 */
public final class IrisModelTrainer {

	private static final Logger log = LoggerFactory.getLogger(IrisModelTrainer.class);

	private static final int FEATURES = 4;

	private static final int HIDDEN = 16;

	private static final int CLASSES = 3;

	private static final int EPOCHS = 3000;

	private static final float LEARNING_RATE = 0.05f;

	private static final float MOMENTUM = 0.9f;

	private static final double MIN_ACCURACY = 0.95;

	private static final long SEED = 1936;

	private static final List<long[]> SHAPES = List.of(new long[] { FEATURES, HIDDEN }, new long[] { HIDDEN },
			new long[] { HIDDEN, CLASSES }, new long[] { CLASSES });

	private IrisModelTrainer() {
	}

	public static void main(String[] args) throws IOException {
		Path root = Path.of((args.length > 0) ? args[0] : "model-repository");
		Path dir = root.resolve("iris").resolve("1");
		Path exported = dir.resolve("saved_model.pb");
		if (upToDate(exported) && !Boolean.getBoolean("batchline.retrain")) {
			log.info("Iris model at {} is newer than iris.csv, not retrained (-Dbatchline.retrain=true forces it)",
					dir);
			return;
		}
		long start = System.nanoTime();
		List<IrisData.Row> rows = IrisData.rows();
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		Weights weights = train(rows, new Random(SEED));
		double accuracy = weights.accuracy(rows);
		if (accuracy < MIN_ACCURACY) {
			throw new IllegalStateException("The Iris model reached only " + accuracy + " accuracy");
		}
		export(weights, dir);
		log.info("Trained the Iris model ({}/{} = {} on the data) and exported it to {} in {} ms",
				Math.round(accuracy * rows.size()), rows.size(), String.format("%.3f", accuracy), dir,
				(System.nanoTime() - start) / 1_000_000);
	}

	/**
	 * Whether the export exists and is newer than the training data, so that incremental
	 * builds skip the training. The data is a file in a build's classes folder, or an
	 * entry of this module's jar when another module's build runs the trainer.
	 */
	private static boolean upToDate(Path exported) throws IOException {
		if (!Files.isRegularFile(exported)) {
			return false;
		}
		URL csv = IrisModelTrainer.class.getResource("/iris.csv");
		FileTime data = (csv != null) ? lastModified(csv) : null;
		return data == null || Files.getLastModifiedTime(exported).compareTo(data) > 0;
	}

	/** When the resource was last changed, or null when that cannot be told. */
	private static FileTime lastModified(URL resource) throws IOException {
		try {
			return switch (resource.getProtocol()) {
				case "file" -> Files.getLastModifiedTime(Path.of(resource.toURI()));
				case "jar" -> {
					JarURLConnection connection = (JarURLConnection) resource.openConnection();
					connection.setUseCaches(false);
					yield connection.getJarEntry().getLastModifiedTime();
				}
				default -> null;
			};
		}
		catch (URISyntaxException ex) {
			return null;
		}
	}

	/** The trained parameters, and the standardisation of the inputs. */
	record Weights(float[] mean, float[] std, float[][] w1, float[] b1, float[][] w2, float[] b2) {

		float[] logits(float[] x) {
			float[] hidden = new float[HIDDEN];
			for (int j = 0; j < HIDDEN; j++) {
				float sum = this.b1[j];
				for (int i = 0; i < FEATURES; i++) {
					sum += (x[i] - this.mean[i]) / this.std[i] * this.w1[i][j];
				}
				hidden[j] = Math.max(0, sum);
			}
			float[] out = new float[CLASSES];
			for (int k = 0; k < CLASSES; k++) {
				float sum = this.b2[k];
				for (int j = 0; j < HIDDEN; j++) {
					sum += hidden[j] * this.w2[j][k];
				}
				out[k] = sum;
			}
			return out;
		}

		double accuracy(List<IrisData.Row> rows) {
			long right = rows.stream().filter((row) -> argMax(logits(row.features())) == row.label()).count();
			return (double) right / rows.size();
		}

	}

	static Weights train(List<IrisData.Row> rows, Random random) {
		int n = rows.size();
		float[] mean = new float[FEATURES];
		float[] std = new float[FEATURES];
		for (IrisData.Row row : rows) {
			for (int i = 0; i < FEATURES; i++) {
				mean[i] += row.features()[i] / n;
			}
		}
		for (IrisData.Row row : rows) {
			for (int i = 0; i < FEATURES; i++) {
				float d = row.features()[i] - mean[i];
				std[i] += d * d / n;
			}
		}
		float[][] x = new float[n][FEATURES];
		float[][] y = new float[n][CLASSES];
		for (int i = 0; i < FEATURES; i++) {
			std[i] = (float) Math.sqrt(std[i]);
		}
		for (int r = 0; r < n; r++) {
			for (int i = 0; i < FEATURES; i++) {
				x[r][i] = (rows.get(r).features()[i] - mean[i]) / std[i];
			}
			y[r][rows.get(r).label()] = 1;
		}
		try (Graph graph = new Graph()) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> features = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, FEATURES)));
			Placeholder<TFloat32> labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
			// initial weights from a seeded Java Random (He initialisation): reproducible
			// without depending on TensorFlow's random kernels
			Variable<TFloat32> w1 = tf.variable(tf.constant(InitialWeights.he(FEATURES, HIDDEN, random)));
			Variable<TFloat32> b1 = tf.variable(tf.constant(new float[HIDDEN]));
			Variable<TFloat32> w2 = tf.variable(tf.constant(InitialWeights.he(HIDDEN, CLASSES, random)));
			Variable<TFloat32> b2 = tf.variable(tf.constant(new float[CLASSES]));
			List<Variable<TFloat32>> parameters = List.of(w1, b1, w2, b2);
			Operand<TFloat32> hidden = tf.nn.relu(tf.math.add(tf.linalg.matMul(features, w1), b1));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(hidden, w2), b2);
			Operand<TFloat32> loss = tf.math.neg(tf.math
				.mean(tf.reduceSum(tf.math.mul(labels, tf.nn.logSoftmax(logits)), tf.constant(1)), tf.constant(0)));
			var gradients = tf.gradients(loss, parameters);
			// every update must see the gradients of the same weights: snapshot them all
			// before any variable changes
			List<Op> snapshots = new ArrayList<>();
			List<Operand<TFloat32>> snapshotted = new ArrayList<>();
			for (int p = 0; p < parameters.size(); p++) {
				Operand<TFloat32> snapshot = tf.identity(gradients.<TFloat32>dy(p));
				snapshots.add(snapshot);
				snapshotted.add(snapshot);
			}
			Ops update = tf.withControlDependencies(snapshots);
			List<Op> steps = new ArrayList<>();
			for (int p = 0; p < parameters.size(); p++) {
				Variable<TFloat32> parameter = parameters.get(p);
				Variable<TFloat32> velocity = tf.variable(tf.zeros(tf.constant(SHAPES.get(p)), TFloat32.class));
				steps.add(update.train.applyMomentum(parameter, velocity, tf.constant(LEARNING_RATE),
						snapshotted.get(p), tf.constant(MOMENTUM)));
			}
			// one thread: the reductions always add in the same order
			ConfigProto oneThread = ConfigProto.newBuilder()
				.setIntraOpParallelismThreads(1)
				.setInterOpParallelismThreads(1)
				.build();
			try (Session session = new Session(graph, oneThread);
					TFloat32 xs = TFloat32.tensorOf(StdArrays.ndCopyOf(x));
					TFloat32 ys = TFloat32.tensorOf(StdArrays.ndCopyOf(y))) {
				session.initialize();
				for (int epoch = 0; epoch < EPOCHS; epoch++) {
					Session.Runner runner = session.runner().feed(features, xs).feed(labels, ys);
					steps.forEach(runner::addTarget);
					runner.run().close();
				}
				try (Result trained = session.runner()
					.feed(features, xs)
					.feed(labels, ys)
					.fetch(w1)
					.fetch(b1)
					.fetch(w2)
					.fetch(b2)
					.fetch(loss)
					.run()) {
					log.info("Iris training loss after {} epochs: {}", EPOCHS, ((TFloat32) trained.get(4)).getFloat());
					return new Weights(mean, std, StdArrays.array2dCopyOf((TFloat32) trained.get(0)),
							StdArrays.array1dCopyOf((TFloat32) trained.get(1)),
							StdArrays.array2dCopyOf((TFloat32) trained.get(2)),
							StdArrays.array1dCopyOf((TFloat32) trained.get(3)));
				}
			}
		}
	}

	private static void export(Weights weights, Path dir) throws IOException {
		FrozenSavedModel.export(dir, FEATURES, (tf, features) -> {
			Operand<TFloat32> standardised = tf.math.div(tf.math.sub(features, tf.constant(weights.mean())),
					tf.constant(weights.std()));
			Operand<TFloat32> hidden = tf.nn.relu(
					tf.math.add(tf.linalg.matMul(standardised, tf.constant(weights.w1())), tf.constant(weights.b1())));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(hidden, tf.constant(weights.w2())),
					tf.constant(weights.b2()));
			Map<String, Operand<?>> outputs = new LinkedHashMap<>();
			outputs.put("probabilities", tf.nn.softmax(logits));
			outputs.put("class_id", tf.math.argMax(logits, tf.constant(1)));
			return outputs;
		});
	}

	static int argMax(float[] values) {
		int best = 0;
		for (int k = 1; k < values.length; k++) {
			if (values[k] > values[best]) {
				best = k;
			}
		}
		return best;
	}

}
