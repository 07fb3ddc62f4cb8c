package dev.batchline.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Exports a frozen TensorFlow SavedModel (one {@code saved_model.pb}, the weights as
 * constants, no variables folder) whose {@code serving_default} signature takes one
 * float32 input {@code features} of shape [-1, N]. The caller builds the graph from that
 * input with TensorFlow ops; the bundled Iris model and the benchmark model are made this
 * way. Call {@code Engine.getEngine("TensorFlow")} first, so that the natives are loaded.
 */
public final class FrozenSavedModel {

	/** The input of every model exported here. */
	public static final String INPUT = "features";

	private FrozenSavedModel() {
	}

	/** Builds the serving graph from the input; returns the named outputs. */
	@FunctionalInterface
	public interface Graphs {

		Map<String, Operand<?>> outputs(Ops tf, Operand<TFloat32> features);

	}

	/**
	 * Builds and exports the model into {@code dir} (e.g.
	 * {@code <root>/<model>/<version>}), replacing what is there only once the export is
	 * complete.
	 * @param dir the version folder
	 * @param features the input width N
	 * @param graph builds the outputs from the input
	 * @throws IOException when the folder cannot be written
	 */
	public static void export(Path dir, int features, Graphs graph) throws IOException {
		Files.createDirectories(dir.getParent());
		Path temp = Files.createTempDirectory(dir.getParent(), "export");
		Files.delete(temp);
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, features)));
			Signature.Builder signature = Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, input);
			graph.outputs(tf, input).forEach(signature::output);
			try (Session session = new Session(g)) {
				SavedModelBundle.exporter(temp.toString())
					.withSession(session)
					.withSignature(signature.build())
					.export();
			}
		}
		if (Files.exists(dir)) {
			try (Stream<Path> old = Files.walk(dir)) {
				for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(path);
				}
			}
		}
		Files.move(temp, dir);
	}

}
