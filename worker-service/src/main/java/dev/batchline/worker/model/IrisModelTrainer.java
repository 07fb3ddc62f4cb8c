package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import ai.djl.engine.Engine;
import dev.batchline.worker.inference.TensorflowNatives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Trains the bundled Iris model at build time and exports it as a frozen TensorFlow
 * SavedModel ({@code <out>/iris/1/saved_model.pb}, weights as constants, no variables
 * folder): an MLP 4 → 16 (ReLU) → 3 (softmax) with the inputs standardised inside the
 * graph. The training is plain full-batch gradient descent with momentum in Java, seeded,
 * so every build makes the same weights; TensorFlow (through DJL's bundled TensorFlow
 * Java) builds and exports the graph. The serving signature is {@code serving_default}:
 * input {@code features} float32 [-1, 4], outputs {@code probabilities} float32 [-1, 3]
 * and {@code class_id} int64 [-1].
 */
public final class IrisModelTrainer {

	private static final Logger log = LoggerFactory.getLogger(IrisModelTrainer.class);

	private static final int FEATURES = 4;

	private static final int HIDDEN = 16;

	private static final int CLASSES = 3;

	private static final int EPOCHS = 4000;

	private static final float LEARNING_RATE = 0.05f;

	private static final float MOMENTUM = 0.9f;

	private static final double MIN_ACCURACY = 0.95;

	private static final long SEED = 1936;

	private IrisModelTrainer() {
	}

	public static void main(String[] args) throws IOException {
		Path root = Path.of((args.length > 0) ? args[0] : "model-repository");
		Path dir = root.resolve("iris").resolve("1");
		if (Files.isRegularFile(dir.resolve("saved_model.pb")) && !Boolean.getBoolean("batchline.retrain")) {
			log.info("Iris model already exported at {} (set -Dbatchline.retrain=true to train again)", dir);
			return;
		}
		long start = System.nanoTime();
		List<IrisData.Row> rows = IrisData.rows();
		Weights weights = train(rows, new Random(SEED));
		double accuracy = weights.accuracy(rows);
		if (accuracy < MIN_ACCURACY) {
			throw new IllegalStateException("The Iris model reached only " + accuracy + " accuracy");
		}
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		export(weights, dir);
		log.info("Trained the Iris model ({}/{} = {} on the data) and exported it to {} in {} ms",
				Math.round(accuracy * rows.size()), rows.size(), String.format("%.3f", accuracy), dir,
				(System.nanoTime() - start) / 1_000_000);
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
		for (int i = 0; i < FEATURES; i++) {
			std[i] = (float) Math.sqrt(std[i]);
		}
		float[][] w1 = gaussian(FEATURES, HIDDEN, Math.sqrt(2.0 / FEATURES), random);
		float[] b1 = new float[HIDDEN];
		float[][] w2 = gaussian(HIDDEN, CLASSES, Math.sqrt(2.0 / HIDDEN), random);
		float[] b2 = new float[CLASSES];
		float[][] vw1 = new float[FEATURES][HIDDEN];
		float[] vb1 = new float[HIDDEN];
		float[][] vw2 = new float[HIDDEN][CLASSES];
		float[] vb2 = new float[CLASSES];
		for (int epoch = 0; epoch < EPOCHS; epoch++) {
			float[][] gw1 = new float[FEATURES][HIDDEN];
			float[] gb1 = new float[HIDDEN];
			float[][] gw2 = new float[HIDDEN][CLASSES];
			float[] gb2 = new float[CLASSES];
			for (IrisData.Row row : rows) {
				float[] x = new float[FEATURES];
				for (int i = 0; i < FEATURES; i++) {
					x[i] = (row.features()[i] - mean[i]) / std[i];
				}
				float[] z = new float[HIDDEN];
				float[] h = new float[HIDDEN];
				for (int j = 0; j < HIDDEN; j++) {
					float sum = b1[j];
					for (int i = 0; i < FEATURES; i++) {
						sum += x[i] * w1[i][j];
					}
					z[j] = sum;
					h[j] = Math.max(0, sum);
				}
				float[] p = softmax(logits(h, w2, b2));
				// gradient of the mean cross-entropy with respect to the logits: (p -
				// onehot) / n
				float[] dl = new float[CLASSES];
				for (int k = 0; k < CLASSES; k++) {
					dl[k] = (p[k] - ((k == row.label()) ? 1 : 0)) / n;
					gb2[k] += dl[k];
					for (int j = 0; j < HIDDEN; j++) {
						gw2[j][k] += h[j] * dl[k];
					}
				}
				for (int j = 0; j < HIDDEN; j++) {
					if (z[j] <= 0) {
						continue;
					}
					float dh = 0;
					for (int k = 0; k < CLASSES; k++) {
						dh += w2[j][k] * dl[k];
					}
					gb1[j] += dh;
					for (int i = 0; i < FEATURES; i++) {
						gw1[i][j] += x[i] * dh;
					}
				}
			}
			step(w1, vw1, gw1);
			step(b1, vb1, gb1);
			step(w2, vw2, gw2);
			step(b2, vb2, gb2);
		}
		return new Weights(mean, std, w1, b1, w2, b2);
	}

	private static void export(Weights weights, Path dir) throws IOException {
		Files.createDirectories(dir.getParent());
		Path temp = Files.createTempDirectory(dir.getParent(), "export");
		Files.delete(temp);
		try (Graph graph = new Graph()) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> features = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, FEATURES)));
			Operand<TFloat32> standardised = tf.math.div(tf.math.sub(features, tf.constant(weights.mean())),
					tf.constant(weights.std()));
			Operand<TFloat32> hidden = tf.nn.relu(
					tf.math.add(tf.linalg.matMul(standardised, tf.constant(weights.w1())), tf.constant(weights.b1())));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(hidden, tf.constant(weights.w2())),
					tf.constant(weights.b2()));
			Operand<TFloat32> probabilities = tf.nn.softmax(logits);
			Operand<TInt64> classId = tf.math.argMax(logits, tf.constant(1));
			try (Session session = new Session(graph)) {
				SavedModelBundle.exporter(temp.toString())
					.withSession(session)
					.withSignature(Signature.builder()
						.key("serving_default")
						.input("features", features)
						.output("probabilities", probabilities)
						.output("class_id", classId)
						.build())
					.export();
			}
		}
		if (Files.exists(dir)) {
			try (var old = Files.walk(dir)) {
				for (Path path : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.delete(path);
				}
			}
		}
		Files.move(temp, dir);
	}

	private static float[] logits(float[] h, float[][] w2, float[] b2) {
		float[] out = new float[CLASSES];
		for (int k = 0; k < CLASSES; k++) {
			float sum = b2[k];
			for (int j = 0; j < HIDDEN; j++) {
				sum += h[j] * w2[j][k];
			}
			out[k] = sum;
		}
		return out;
	}

	private static float[] softmax(float[] logits) {
		float max = Float.NEGATIVE_INFINITY;
		for (float v : logits) {
			max = Math.max(max, v);
		}
		float sum = 0;
		float[] out = new float[logits.length];
		for (int k = 0; k < logits.length; k++) {
			out[k] = (float) Math.exp(logits[k] - max);
			sum += out[k];
		}
		for (int k = 0; k < logits.length; k++) {
			out[k] /= sum;
		}
		return out;
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

	private static float[][] gaussian(int rows, int cols, double scale, Random random) {
		float[][] out = new float[rows][cols];
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < cols; j++) {
				out[i][j] = (float) (random.nextGaussian() * scale);
			}
		}
		return out;
	}

	private static void step(float[][] w, float[][] v, float[][] g) {
		for (int i = 0; i < w.length; i++) {
			step(w[i], v[i], g[i]);
		}
	}

	private static void step(float[] w, float[] v, float[] g) {
		for (int i = 0; i < w.length; i++) {
			v[i] = MOMENTUM * v[i] - LEARNING_RATE * g[i];
			w[i] += v[i];
		}
	}

}
