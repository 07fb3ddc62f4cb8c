package dev.batchline.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import dev.batchline.engine.FrozenSavedModel;
import dev.batchline.engine.InitialWeights;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The benchmark model: a frozen MLP 256 → 1024 → 1024 → 16 (float32, ReLU between the
 * layers) with seeded random weights, exported as {@code <root>/bench/1} by the same
 * exporter as the bundled Iris model. About 1.3 million multiply-adds per item: heavy
 * enough that inference, not the pipeline, should bound a worker.
 */
final class BenchmarkModel {

	static final String NAME = "bench";

	static final int INPUTS = 256;

	static final int HIDDEN = 1024;

	static final int OUTPUTS = 16;

	private static final long SEED = 20240601;

	private BenchmarkModel() {
	}

	/** Exports the model; returns its version folder. */
	static Path export(Path root) throws IOException {
		Random random = new Random(SEED);
		float[][] w1 = InitialWeights.he(INPUTS, HIDDEN, random);
		float[][] w2 = InitialWeights.he(HIDDEN, HIDDEN, random);
		float[][] w3 = InitialWeights.he(HIDDEN, OUTPUTS, random);
		Path dir = root.resolve(NAME).resolve("1");
		FrozenSavedModel.export(dir, INPUTS, (tf, features) -> {
			Operand<TFloat32> h1 = dense(tf, features, w1, true);
			Operand<TFloat32> h2 = dense(tf, h1, w2, true);
			Map<String, Operand<?>> outputs = new LinkedHashMap<>();
			outputs.put("scores", dense(tf, h2, w3, false));
			return outputs;
		});
		return dir;
	}

	private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> in, float[][] weights, boolean relu) {
		Operand<TFloat32> out = tf.math.add(tf.linalg.matMul(in, tf.constant(weights)),
				tf.constant(new float[weights[0].length]));
		return relu ? tf.nn.relu(out) : out;
	}

	/**
	 * Item {@code n} of a benchmark input: 256 small integers (0–9), which keeps a job's
	 * JSON compact (~0.5 KB per item) so that the benchmark measures inference rather
	 * than number parsing.
	 */
	static String instance(long n) {
		StringBuilder json = new StringBuilder(INPUTS * 2 + 2).append('[');
		long state = n * 0x9E3779B97F4A7C15L + 1;
		for (int i = 0; i < INPUTS; i++) {
			state ^= state << 13;
			state ^= state >>> 7;
			state ^= state << 17;
			if (i > 0) {
				json.append(',');
			}
			json.append((char) ('0' + Math.floorMod(state, 10)));
		}
		return json.append(']').toString();
	}

}
