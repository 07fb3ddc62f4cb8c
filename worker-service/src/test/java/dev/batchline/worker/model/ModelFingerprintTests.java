package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The fingerprint of a SavedModel's files. */
class ModelFingerprintTests {

	@Test
	void theSameFilesInAnotherFolderHaveTheSameFingerprint(@TempDir Path root) throws IOException {
		Path one = savedModel(root.resolve("a/1"), "graph", "weights");
		Path other = savedModel(root.resolve("b/7"), "graph", "weights");
		assertThat(ModelFingerprint.of(one)).isEqualTo(ModelFingerprint.of(other)).matches("sha256:[0-9a-f]{64}");
	}

	@Test
	void otherWeightsOrAnotherGraphChangeTheFingerprintButOtherFilesDoNot(@TempDir Path root) throws IOException {
		String original = ModelFingerprint.of(savedModel(root.resolve("m/1"), "graph", "weights"));
		assertThat(ModelFingerprint.of(savedModel(root.resolve("m/2"), "graph", "weightz"))).isNotEqualTo(original);
		assertThat(ModelFingerprint.of(savedModel(root.resolve("m/3"), "graphs", "weights"))).isNotEqualTo(original);
		Path withAssets = savedModel(root.resolve("m/4"), "graph", "weights");
		Files.createDirectories(withAssets.resolve("assets"));
		Files.writeString(withAssets.resolve("assets/vocab.txt"), "words");
		assertThat(ModelFingerprint.of(withAssets)).isEqualTo(original);
	}

	@Test
	void bytesMovedBetweenFilesChangeTheFingerprint(@TempDir Path root) throws IOException {
		Path one = savedModel(root.resolve("m/1"), "graph", "weights");
		Path other = savedModel(root.resolve("m/2"), "graph", "weights");
		Files.writeString(one.resolve("variables/variables.index"), "ab");
		Files.writeString(one.resolve("variables/variables.data-00000-of-00001"), "cd");
		Files.writeString(other.resolve("variables/variables.index"), "abc");
		Files.writeString(other.resolve("variables/variables.data-00000-of-00001"), "d");
		assertThat(ModelFingerprint.of(one)).isNotEqualTo(ModelFingerprint.of(other));
	}

	private static Path savedModel(Path dir, String graph, String weights) throws IOException {
		Files.createDirectories(dir.resolve("variables"));
		Files.writeString(dir.resolve(SavedModelSignature.SAVED_MODEL), graph);
		Files.writeString(dir.resolve("variables/variables.index"), "index");
		Files.writeString(dir.resolve("variables/variables.data-00000-of-00001"), weights);
		return dir;
	}

}
