package dev.batchline.worker.model;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.inference.TensorflowNatives;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model the build trained, loaded through DJL exactly as a user's SavedModel would
 * be: it classifies the Iris data well and has the promised serving signature.
 */
class IrisModelTests {

	@Test
	void theBundledIrisModelClassifiesAtLeast95PercentOfTheDataCorrectly() throws Exception {
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		List<IrisData.Row> rows = IrisData.rows();
		float[][] features = rows.stream().map(IrisData.Row::features).toArray(float[][]::new);
		Criteria<NDList, NDList> criteria = Criteria.builder()
			.setTypes(NDList.class, NDList.class)
			.optEngine("TensorFlow")
			.optModelPath(bundledIris())
			.optTranslator(new NoopTranslator(null))
			.build();
		try (ZooModel<NDList, NDList> model = criteria.loadModel();
				Predictor<NDList, NDList> predictor = model.newPredictor();
				NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			NDArray input = manager.create(features);
			input.setName("features");
			NDList outputs = predictor.predict(new NDList(input));
			long[] classes = outputs.get("class_id").toLongArray();
			long right = 0;
			for (int i = 0; i < rows.size(); i++) {
				if (classes[i] == rows.get(i).label()) {
					right++;
				}
			}
			assertThat(rows).hasSize(150);
			assertThat((double) right / rows.size()).isGreaterThanOrEqualTo(0.95);
			assertThat(outputs.get("probabilities").getShape().getShape()).containsExactly(150, 3);
		}
	}

	@Test
	void theBundledIrisModelHasTheServingSignatureOfFeaturesToProbabilitiesAndClassId() throws Exception {
		ModelSignature signature = SavedModelSignature.read(bundledIris());
		assertThat(signature.inputs()).containsExactly(new TensorSpec("features", "float32", List.of(-1L, 4L)));
		assertThat(signature.outputs()).containsExactly(new TensorSpec("class_id", "int64", List.of(-1L)),
				new TensorSpec("probabilities", "float32", List.of(-1L, 3L)));
	}

	private static Path bundledIris() throws Exception {
		URL url = IrisModelTests.class.getClassLoader().getResource("model-repository/iris/1");
		assertThat(url).as("the build exports the Iris model into target/classes").isNotNull();
		return Path.of(url.toURI());
	}

}
