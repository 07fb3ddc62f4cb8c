package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.engine.Engine;
import dev.batchline.engine.TensorflowNatives;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel whose weights live in its {@code variables/} folder, as most exported
 * models' do (the bundled Iris model is frozen, so it has none): {@code out = features ·
 * [1, 2]}, from an input {@code features} of two numbers per item.
 */
final class ModelWithVariables {

	/** The shard TensorFlow restores the weights from. */
	static final String SHARD = "variables/variables.data-00000-of-00001";

	private ModelWithVariables() {
	}

	/**
	 * Exports the model into {@code dir}.
	 * @param dir the version folder
	 * @return the folder
	 * @throws IOException when the folder cannot be written
	 */
	static Path export(Path dir) throws IOException {
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		try (Graph graph = new Graph()) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> features = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
			Variable<TFloat32> weights = tf.variable(tf.constant(new float[][] { { 1 }, { 2 } }));
			Operand<TFloat32> out = tf.linalg.matMul(features, weights);
			try (Session session = new Session(graph)) {
				session.initialize();
				SavedModelBundle.exporter(dir.toString())
					.withSession(session)
					.withSignature(Signature.builder()
						.key(Signature.DEFAULT_KEY)
						.input("features", features)
						.output("out", out)
						.build())
					.export();
			}
		}
		return dir;
	}

}
