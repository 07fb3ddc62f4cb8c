package dev.batchline.contracts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Chunks as safetensors: the layout is safetensors' own (so stock readers open a record),
 * the values are the JSON numbers converted to the input's type, and a record that does
 * not add up is refused before any value is read.
 */
class ChunkTensorsTests {

	private static final UUID JOB = UUID.fromString("0b7c2f3e-5f43-4a38-9a0e-1f2d3c4b5a69");

	@Test
	void writesTheSafetensorsLayoutWithTheChunkAsMetadata() {
		byte[] data = encode("float32", List.of(-1L, 4L), "[5.1,3.5,1.4,0.2]", "[6,3e0,-5.25,2.3]");
		ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
		long headerLength = buffer.getLong();
		assertThat(headerLength % 8).isZero();
		String headerText = new String(data, 8, (int) headerLength, StandardCharsets.UTF_8);
		assertThat(headerText).startsWith("{");
		JsonNode header = EventCodec.tree(headerText.strip().getBytes(StandardCharsets.UTF_8));
		assertThat(header.get("instances").get("dtype").asString()).isEqualTo("F32");
		assertThat(header.get("instances").get("shape").toString()).isEqualTo("[2,4]");
		assertThat(header.get("instances").get("data_offsets").toString()).isEqualTo("[0,32]");
		JsonNode metadata = header.get("__metadata__");
		assertThat(metadata.get("job_id").asString()).isEqualTo(JOB.toString());
		assertThat(metadata.get("chunk").asString()).isEqualTo("7");
		assertThat(metadata.get("first_index").asString()).isEqualTo("3500");
		assertThat(metadata.get("model").asString()).isEqualTo("iris");
		assertThat(metadata.get("version").asString()).isEqualTo("1");
		// every metadata value is a string, as safetensors requires
		metadata.properties().forEach((entry) -> assertThat(entry.getValue().isString()).isTrue());
		assertThat(data).hasSize(8 + (int) headerLength + 32);
		buffer.position(8 + (int) headerLength);
		assertThat(buffer.getFloat()).isEqualTo(5.1f);
		assertThat(buffer.getFloat()).isEqualTo(3.5f);
	}

	@Test
	void decodesTheValuesTheWorkerWouldFeedFromTheJsonNumbers() {
		String[] items = { "[0.1, 0.2, 0.30000000000000004, 1e-7]", "[3.4028234e38, -1.5, 0, 12345678901]" };
		ChunkTensors.Tensor tensor = ChunkTensors.decode(encode("float32", List.of(-1L, 4L), items));
		assertThat(tensor.jobId()).isEqualTo(JOB);
		assertThat(tensor.chunk()).isEqualTo(7);
		assertThat(tensor.firstIndex()).isEqualTo(3500);
		assertThat(tensor.model()).isEqualTo("iris");
		assertThat(tensor.version()).isEqualTo("1");
		assertThat(tensor.type()).isEqualTo(ChunkTensors.ElementType.F32);
		assertThat(tensor.shape()).containsExactly(2, 4);
		assertThat(tensor.count()).isEqualTo(2);
		assertThat(tensor.perItem()).isEqualTo(4);
		int at = 0;
		for (String item : items) {
			for (JsonNode number : EventCodec.tree(item.getBytes(StandardCharsets.UTF_8))) {
				// what the worker feeds from the item read as a tree
				assertThat(tensor.values().getFloat(at * 4)).isEqualTo(number.floatValue());
				at++;
			}
		}
		// and back to JSON items: the same numbers as the worker's trees would give
		ChunkSubmitted submitted = tensor.toSubmitted();
		assertThat(submitted.instances()).hasSize(2);
		assertThat(submitted.instances().get(0).get(0).floatValue()).isEqualTo(0.1f);
		assertThat(submitted.instances().get(1).get(3).floatValue()).isEqualTo(12345678901f);
	}

	@Test
	void keepsEachInputTypeAndNestedShapes() {
		ChunkTensors.Tensor doubles = ChunkTensors
			.decode(encode("float64", List.of(-1L, 2L, 2L), "[[0.1, 2], [3, 4]]", "[[5, 6], [7, 8.25]]"));
		assertThat(doubles.type()).isEqualTo(ChunkTensors.ElementType.F64);
		assertThat(doubles.shape()).containsExactly(2, 2, 2);
		assertThat(doubles.values().getDouble(0)).isEqualTo(0.1);
		assertThat(doubles.toSubmitted().instances().get(1).toString()).isEqualTo("[[5.0,6.0],[7.0,8.25]]");
		ChunkTensors.Tensor ints = ChunkTensors.decode(encode("int32", List.of(-1L, 3L), "[1, -2, 2147483647]"));
		assertThat(ints.type()).isEqualTo(ChunkTensors.ElementType.I32);
		assertThat(ints.values().getInt(8)).isEqualTo(Integer.MAX_VALUE);
		ChunkTensors.Tensor longs = ChunkTensors.decode(encode("int64", List.of(-1L), "9007199254740992", "-3"));
		assertThat(longs.type()).isEqualTo(ChunkTensors.ElementType.I64);
		assertThat(longs.shape()).containsExactly(2);
		assertThat(longs.values().getLong(0)).isEqualTo(1L << 53);
		assertThat(longs.toSubmitted().instances().get(1).asLong()).isEqualTo(-3);
	}

	@Test
	void fitsOnlyTheInputItWasMadeFor() {
		ChunkTensors.Tensor tensor = ChunkTensors.decode(encode("float32", List.of(-1L, 4L), "[1, 2, 3, 4]"));
		assertThat(tensor.fits(signature("float32", List.of(-1L, 4L)))).isTrue();
		assertThat(tensor.fits(signature("float32", List.of(-1L, -1L)))).isTrue();
		assertThat(tensor.fits(signature("float32", List.of(-1L, 3L)))).isFalse();
		assertThat(tensor.fits(signature("float64", List.of(-1L, 4L)))).isFalse();
		assertThat(tensor.fits(signature("float32", List.of(-1L, 2L, 2L)))).isFalse();
		assertThat(ChunkTensors.encodable(signature("string", List.of(-1L)))).isFalse();
		assertThat(ChunkTensors.encodable(signature("float32", List.of(-1L, 4L)))).isTrue();
	}

	@Test
	void refusesItemsThatDoNotFitTheModel() {
		DenseInstances items = DenseInstances.readArray("[[1, 2, 3]]".getBytes(StandardCharsets.UTF_8), 16);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ChunkTensors.encode(submitted(), items, signature("float32", List.of(-1L, 4L))));
		DenseInstances fractions = DenseInstances.readArray("[[1.5]]".getBytes(StandardCharsets.UTF_8), 16);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ChunkTensors.encode(submitted(), fractions, signature("int32", List.of(-1L, 1L))));
	}

	@Test
	void refusesARecordWhoseLengthsDoNotAddUp() {
		byte[] good = encode("float32", List.of(-1L, 4L), "[1, 2, 3, 4]", "[5, 6, 7, 8]");
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(new byte[3]));
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(Arrays.copyOf(good, good.length - 4)))
			.withMessageContaining("data_offsets");
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(Arrays.copyOf(good, good.length + 4)))
			.withMessageContaining("data_offsets");
		byte[] hugeHeader = good.clone();
		ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(hugeHeader))
			.withMessageContaining("header length");
		byte[] noJson = good.clone();
		noJson[8] = 'x';
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(noJson));
		byte[] otherType = new String(good, StandardCharsets.ISO_8859_1).replace("\"F32\"", "\"U16\"")
			.getBytes(StandardCharsets.ISO_8859_1);
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(otherType))
			.withMessageContaining("dtype");
		byte[] noJob = new String(good, StandardCharsets.ISO_8859_1).replace("\"job_id\"", "\"job_xx\"")
			.getBytes(StandardCharsets.ISO_8859_1);
		assertThatIllegalArgumentException().isThrownBy(() -> ChunkTensors.decode(noJob))
			.withMessageContaining("job_id");
	}

	@Test
	void readsEitherEncodingAsAChunk() {
		ChunkSubmitted json = new ChunkSubmitted(JOB, 7, 3500, "iris", "1",
				List.of(EventCodec.tree("[1.5,2,3,4]".getBytes(StandardCharsets.UTF_8))));
		ChunkSubmitted fromJson = ChunkTensors.readSubmitted(CloudEventRecords.JSON, EventCodec.encode(json));
		ChunkSubmitted fromTensor = ChunkTensors.readSubmitted(ChunkTensors.CONTENT_TYPE,
				encode("float32", List.of(-1L, 4L), "[1.5,2,3,4]"));
		assertThat(fromTensor.jobId()).isEqualTo(fromJson.jobId());
		assertThat(fromTensor.chunk()).isEqualTo(fromJson.chunk());
		assertThat(fromTensor.firstIndex()).isEqualTo(fromJson.firstIndex());
		assertThat(fromTensor.instances().get(0).get(0).doubleValue()).isEqualTo(1.5);
		assertThat(fromTensor.instances().get(0).size()).isEqualTo(4);
	}

	@Test
	void carriesTheCacheFlagInEitherEncodingAndReadsItsAbsenceAsFalse() {
		List<JsonNode> items = List.of(EventCodec.tree("[1.5,2,3,4]".getBytes(StandardCharsets.UTF_8)));
		ChunkSubmitted cached = new ChunkSubmitted(JOB, 7, 3500, "iris", "1", items, true);
		assertThat(EventCodec.tree(EventCodec.encode(cached)).get("cache").asBoolean()).isTrue();
		assertThat(ChunkTensors.readSubmitted(CloudEventRecords.JSON, EventCodec.encode(cached)).cache()).isTrue();
		byte[] oldJson = "{\"job_id\":\"%s\",\"chunk\":7,\"first_index\":3500,\"model\":\"iris\",\"version\":\"1\",\"instances\":[[1.5,2,3,4]]}"
			.formatted(JOB)
			.getBytes(StandardCharsets.UTF_8);
		assertThat(ChunkTensors.readSubmitted(CloudEventRecords.JSON, oldJson).cache()).isFalse();

		DenseInstances dense = DenseInstances.readArray("[[1.5,2,3,4]]".getBytes(StandardCharsets.UTF_8), 16);
		byte[] tensor = ChunkTensors.encode(cached, dense, signature("float32", List.of(-1L, 4L)));
		assertThat(ChunkTensors.decode(tensor).cache()).isTrue();
		assertThat(ChunkTensors.readSubmitted(ChunkTensors.CONTENT_TYPE, tensor).cache()).isTrue();
		assertThat(ChunkTensors.decode(encode("float32", List.of(-1L, 4L), "[1.5,2,3,4]")).cache()).isFalse();
		// a record written before the flag existed: no "cache" in its metadata
		String header = new String(tensor, StandardCharsets.ISO_8859_1);
		byte[] old = header.replace("\"cache\":\"true\"", "\"cachf\":\"true\"").getBytes(StandardCharsets.ISO_8859_1);
		assertThat(ChunkTensors.decode(old).cache()).isFalse();
	}

	private static byte[] encode(String dtype, List<Long> shape, String... items) {
		DenseInstances dense = DenseInstances
			.readArray(("[" + String.join(",", items) + "]").getBytes(StandardCharsets.UTF_8), 16);
		assertThat(dense).isNotNull();
		return ChunkTensors.encode(submitted(), dense, signature(dtype, shape));
	}

	private static ChunkSubmitted submitted() {
		return new ChunkSubmitted(JOB, 7, 3500, "iris", "1", List.of());
	}

	private static ModelSignature signature(String dtype, List<Long> shape) {
		return new ModelSignature(List.of(new TensorSpec("x", dtype, shape)),
				List.of(new TensorSpec("y", "float32", List.of(-1L))));
	}

}
