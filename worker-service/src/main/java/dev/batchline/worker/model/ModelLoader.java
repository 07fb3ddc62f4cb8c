package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.engine.InlineOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one version folder of the repository ({@code <root>/<model>/<version>}) through
 * DJL, on the worker's device and with its inline-ops setting, for raw {@link NDList}s in
 * and out: the worker makes its input tensors and reads its output tensors itself.
 */
final class ModelLoader {

	private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

	private final Device device;

	private final boolean inlineOps;

	ModelLoader(Device device, boolean inlineOps) {
		this.device = device;
		this.inlineOps = inlineOps;
	}

	/**
	 * Loads the version in {@code dir}.
	 * @param dir the version folder
	 * @return the model, ready to predict
	 * @throws IllegalStateException when it cannot be loaded
	 */
	ServedModel load(Path dir) {
		String name = dir.getParent().getFileName().toString();
		String version = dir.getFileName().toString();
		try {
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
			List<String> inputOrder = (model.describeInput() != null) ? model.describeInput().keys()
					: signature.inputs().stream().map((input) -> input.name()).toList();
			log.info("Model {}:{} loaded from {} on {}{} (inputs {}, outputs {})", name, version, dir, this.device,
					this.inlineOps ? ", operations on the calling thread" : "", signature.inputs(),
					signature.outputs());
			return ServedModel.loaded(name, version, signature, inputOrder, model);
		}
		catch (IOException | ModelNotFoundException | MalformedModelException ex) {
			throw new IllegalStateException("Could not load the model at " + dir, ex);
		}
	}

}
