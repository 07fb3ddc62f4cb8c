package dev.batchline.worker.model;

import java.net.URL;
import java.nio.file.Path;

import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signature is read from {@code saved_model.pb} as it is: the bundled Iris model the
 * build trained has the signature every other test takes for granted.
 */
class SavedModelSignatureTests {

	@Test
	void readsTheBundledIrisModelsSignatureOfFeaturesToProbabilitiesAndClassId() throws Exception {
		URL url = SavedModelSignatureTests.class.getClassLoader().getResource("model-repository/iris/1");
		assertThat(url).as("the build exports the Iris model into target/classes").isNotNull();
		assertThat(SavedModelSignature.read(Path.of(url.toURI()))).isEqualTo(Fixtures.IRIS);
	}

}
