package dev.batchline.worker.intake;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.worker.intake.ChunkReader.Chunk;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chunks are read densely only when every item is a bare rectangular array of numbers of
 * one shape; the numbers are those the trees hold, and anything else is read as trees.
 */
class ChunkReaderTests {

	private static final UUID JOB = UUID.randomUUID();

	@Test
	void readsUniformItemsDenselyWithTheNumbersTheTreesHold() {
		Chunk chunk = ChunkReader.read(CloudEventRecords.JSON,
				chunk("[5.1,3.5,1.4,0.2]", "[6,3e0,-5.25,2.3]", "[1e-3,0,0.0,12345678901]"));
		assertThat(chunk.jobId()).isEqualTo(JOB);
		assertThat(chunk.number()).isEqualTo(3);
		assertThat(chunk.firstIndex()).isEqualTo(1500);
		assertThat(chunk.model()).isEqualTo("iris");
		assertThat(chunk.version()).isEqualTo("1");
		assertThat(chunk.items().trees()).isNull();
		assertThat(chunk.items().dense().count()).isEqualTo(3);
		assertThat(chunk.items().dense().shape()).containsExactly(4);
		List<JsonNode> trees = chunk.asTrees().items().trees();
		double[] values = chunk.items().dense().values();
		for (int i = 0; i < 3; i++) {
			for (int f = 0; f < 4; f++) {
				assertThat(values[i * 4 + f]).isEqualTo(trees.get(i).get(f).doubleValue());
			}
		}
	}

	@Test
	void readsNestedAndScalarItemsDensely() {
		Chunk nested = ChunkReader.read(CloudEventRecords.JSON, chunk("[[1,2],[3,4],[5,6]]", "[[7,8],[9,10],[11,12]]"));
		assertThat(nested.items().dense().shape()).containsExactly(3, 2);
		assertThat(nested.items().dense().values()).startsWith(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
		Chunk scalars = ChunkReader.read(CloudEventRecords.JSON, chunk("1", "2.5"));
		assertThat(scalars.items().dense().shape()).isEmpty();
		assertThat(scalars.items().dense().count()).isEqualTo(2);
	}

	@Test
	void readsEveryOtherChunkAsTrees() {
		List<String[]> others = List.of(new String[] { "[1,2,3,4]", "[1,2,3]" }, // two
																					// shapes
				new String[] { "[[1,2],[3]]" }, // ragged
				new String[] { "[1,[2]]" }, // mixed depths
				new String[] { "{\"features\":[1,2,3,4]}" }, // named inputs
				new String[] { "[1,\"x\",3,4]" }, new String[] { "[1,null,3,4]" }, new String[] { "[true]" },
				new String[] { "[]" }, new String[] { "[[]]" }, new String[] { "[[[[[[[[[1]]]]]]]]]" });
		for (String[] items : others) {
			Chunk chunk = ChunkReader.read(CloudEventRecords.JSON, chunk(items));
			assertThat(chunk.items().dense()).as(String.join(",", items)).isNull();
			assertThat(chunk.items().trees()).hasSize(items.length);
		}
	}

	@Test
	void readsATensorRecordAsOneTensorAndItsTreesAsTheJsonItems() {
		byte[] json = chunk("[5.1,3.5,1.4,0.2]", "[6,3e0,-5.25,2.3]");
		ModelSignature iris = Fixtures.IRIS_INPUT;
		byte[] tensor = ChunkTensors.encode(new ChunkSubmitted(JOB, 3, 1500, "iris", "1", List.of()),
				DenseInstances.readArray("[[5.1,3.5,1.4,0.2],[6,3e0,-5.25,2.3]]".getBytes(StandardCharsets.UTF_8), 16),
				iris);
		Chunk chunk = ChunkReader.read(ChunkTensors.CONTENT_TYPE, tensor);
		assertThat(chunk.jobId()).isEqualTo(JOB);
		assertThat(chunk.number()).isEqualTo(3);
		assertThat(chunk.firstIndex()).isEqualTo(1500);
		assertThat(chunk.model()).isEqualTo("iris");
		assertThat(chunk.items().size()).isEqualTo(2);
		assertThat(chunk.items().tensor().shape()).containsExactly(2, 4);
		assertThat(chunk.items().dense()).isNull();
		assertThat(chunk.items().readyFor(iris)).isTrue();
		List<JsonNode> trees = chunk.asTrees().items().trees();
		List<JsonNode> fromJson = ChunkReader.read(CloudEventRecords.JSON, json).asTrees().items().trees();
		for (int i = 0; i < 2; i++) {
			for (int f = 0; f < 4; f++) {
				assertThat(trees.get(i).get(f).floatValue()).isEqualTo(fromJson.get(i).get(f).floatValue());
			}
		}
		assertThatThrownBy(() -> ChunkReader.read(ChunkTensors.CONTENT_TYPE, json))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void keepsTheChunksCacheFlagHoweverItIsReadAndAnOldRecordIsNotCached() {
		List<JsonNode> items = List.of(EventCodec.tree("[5.1,3.5,1.4,0.2]".getBytes(StandardCharsets.UTF_8)));
		byte[] cachedJson = EventCodec.encode(new ChunkSubmitted(JOB, 3, 1500, "iris", "1", items, true));
		Chunk dense = ChunkReader.read(CloudEventRecords.JSON, cachedJson);
		assertThat(dense.items().dense()).isNotNull();
		assertThat(dense.items().cache()).isTrue();
		assertThat(dense.asTrees().items().cache()).isTrue();
		assertThat(ChunkReader.readTrees(cachedJson).items().cache()).isTrue();
		byte[] tensor = ChunkTensors.encode(new ChunkSubmitted(JOB, 3, 1500, "iris", "1", List.of(), true),
				DenseInstances.readArray("[[5.1,3.5,1.4,0.2]]".getBytes(StandardCharsets.UTF_8), 16),
				Fixtures.IRIS_INPUT);
		Chunk fromTensor = ChunkReader.read(ChunkTensors.CONTENT_TYPE, tensor);
		assertThat(fromTensor.items().cache()).isTrue();
		assertThat(fromTensor.asTrees().items().cache()).isTrue();
		Chunk old = ChunkReader.read(CloudEventRecords.JSON, chunk("[5.1,3.5,1.4,0.2]"));
		assertThat(old.items().cache()).isFalse();
		byte[] oldTrees = "{\"job_id\":\"%s\",\"chunk\":1,\"first_index\":0,\"model\":\"iris\",\"instances\":[{\"features\":[1,2,3,4]}]}"
			.formatted(JOB)
			.getBytes(StandardCharsets.UTF_8);
		assertThat(ChunkReader.read(CloudEventRecords.JSON, oldTrees).items().cache()).isFalse();
	}

	@Test
	void aChunkWithoutItsFieldsIsRefused() {
		assertThatThrownBy(() -> ChunkReader.read(CloudEventRecords.JSON,
				"{\"chunk\":1,\"first_index\":0,\"model\":\"iris\",\"instances\":[[1]]}"
					.getBytes(StandardCharsets.UTF_8)))
			.hasMessageContaining("misses");
		assertThatThrownBy(() -> ChunkReader.read(CloudEventRecords.JSON, "not json".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(RuntimeException.class);
	}

	private static byte[] chunk(String... items) {
		List<JsonNode> instances = java.util.Arrays.stream(items)
			.map((item) -> EventCodec.tree(item.getBytes(StandardCharsets.UTF_8)))
			.toList();
		return EventCodec.encode(new ChunkSubmitted(JOB, 3, 1500, "iris", "1", instances));
	}

}
