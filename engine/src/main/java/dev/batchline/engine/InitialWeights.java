package dev.batchline.engine;

import java.util.Random;

/**
 * He initialisation of a dense layer's weights from a seeded {@link Random}: the same
 * weights on every run and machine, without depending on TensorFlow's random kernels. The
 * Iris model starts its training from them; the benchmark model keeps them as they are.
 */
public final class InitialWeights {

	private InitialWeights() {
	}

	/**
	 * A {@code rows × cols} matrix of normal values scaled by {@code sqrt(2 / rows)}.
	 * @param rows the layer's inputs (its fan-in)
	 * @param cols the layer's outputs
	 * @param random the seeded source, read row by row
	 * @return the weights
	 */
	public static float[][] he(int rows, int cols, Random random) {
		double scale = Math.sqrt(2.0 / rows);
		float[][] out = new float[rows][cols];
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < cols; j++) {
				out[i][j] = (float) (random.nextGaussian() * scale);
			}
		}
		return out;
	}

}
