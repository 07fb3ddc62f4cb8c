package dev.batchline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import ai.djl.engine.Engine;
import dev.batchline.engine.TensorflowNatives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkModelTests {

	@Test
	void exportsAFrozenMlpThatDjlServesWithTheWorkersSignature(@TempDir Path root) throws Exception {
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		Path dir = BenchmarkModel.export(root);
		assertThat(dir).isEqualTo(root.resolve("bench/1"));
		// the weights are constants in the graph: ~1.3M floats, no variables folder
		assertThat(Files.size(dir.resolve("saved_model.pb"))).isGreaterThan(5_000_000L);
		assertThat(dir.resolve("variables/variables.index")).doesNotExist();
		try (RawPredict predict = new RawPredict(dir, BenchmarkModel.INPUTS, false)) {
			assertThat(predict.itemsPerSecond(8, 1, Duration.ofMillis(200))).isPositive();
		}
	}

	@Test
	void instancesAreDeterministicJsonArraysOf256Digits() {
		String item = BenchmarkModel.instance(42);
		assertThat(item).isEqualTo(BenchmarkModel.instance(42)).isNotEqualTo(BenchmarkModel.instance(43));
		assertThat(item).startsWith("[").endsWith("]");
		assertThat(item.substring(1, item.length() - 1).split(",")).hasSize(256)
			.allMatch((value) -> value.matches("[0-9]"));
	}

}
