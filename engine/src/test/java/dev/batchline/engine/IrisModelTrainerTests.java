package dev.batchline.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Iris model as the trainer exports it, loaded through DJL exactly as a user's
 * SavedModel would be: one frozen {@code saved_model.pb} that classifies the Iris data
 * well, with the promised outputs.
 */
class IrisModelTrainerTests {

	@Test
	void exportsAFrozenIrisModelThatClassifiesAtLeast95PercentOfTheDataCorrectly(@TempDir Path root) throws Exception {
		IrisModelTrainer.main(new String[] { root.toString() });
		Path dir = root.resolve("iris/1");
		assertThat(dir.resolve("saved_model.pb")).isRegularFile();
		assertThat(dir.resolve("variables/variables.index")).doesNotExist();
		Engine.getEngine("TensorFlow");
		List<IrisData.Row> rows = IrisData.rows();
		float[][] features = rows.stream().map(IrisData.Row::features).toArray(float[][]::new);
		Criteria<NDList, NDList> criteria = Criteria.builder()
			.setTypes(NDList.class, NDList.class)
			.optEngine("TensorFlow")
			.optModelPath(dir)
			.optTranslator(new NoopTranslator(null))
			.build();
		try (ZooModel<NDList, NDList> model = criteria.loadModel();
				Predictor<NDList, NDList> predictor = model.newPredictor();
				NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			NDArray input = manager.create(features);
			input.setName(FrozenSavedModel.INPUT);
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
	void leavesAnExportNewerThanTheDataAsItIs(@TempDir Path root) throws Exception {
		IrisModelTrainer.main(new String[] { root.toString() });
		Path exported = root.resolve("iris/1/saved_model.pb");
		FileTime first = Files.getLastModifiedTime(exported);
		IrisModelTrainer.main(new String[] { root.toString() });
		assertThat(Files.getLastModifiedTime(exported)).isEqualTo(first);
	}

}
