package dev.batchline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Item results travel as their JSON: a chunk result read back holds the same bytes and
 * counts as were written, numbers exactly as written.
 */
class ItemResultsTests {

	@Test
	void aChunkResultReadBackHoldsTheSameItemsAndCounts() {
		List<ItemResult> items = List.of(
				ItemResult.success(7, JsonNodeFactory.instance.objectNode()
					.put("class_id", 2)
					.set("probabilities", JsonNodeFactory.instance.arrayNode().add(0.1f).add(1.0E-7f).add(0.8999999f))),
				ItemResult.failure(8, new ItemError(ItemError.BAD_SHAPE, "input 'features' has 3 values, \"ü\"")),
				ItemResult.success(9, JsonNodeFactory.instance.objectNode().putNull("nothing")));
		ChunkCompleted written = new ChunkCompleted(UUID.randomUUID(), 1, 7, "iris", "1", "w", items);
		ChunkCompleted read = EventCodec.decode(EventCodec.encode(written), ChunkCompleted.class);
		assertThat(read.items().size()).isEqualTo(3);
		assertThat(read.items().failed()).isEqualTo(1);
		assertThat(read.failedCount()).isEqualTo(1);
		assertThat(new String(read.items().json(), StandardCharsets.UTF_8))
			.isEqualTo(new String(EventCodec.encode(items), StandardCharsets.UTF_8));
		assertThat(EventCodec.encode(read.items().toList())).isEqualTo(EventCodec.encode(items));
	}

	@Test
	void keepsTheItemsBytesAsTheyCameAndCountsTheFailedOnes() {
		String items = "[ {\"index\": 0, \"output\": {\"p\": [1e-7, 0.5], \"error\": \"not the item's\"}},\n"
				+ "  {\"index\": 1, \"error\": {\"code\": \"BAD_SHAPE\", \"message\": \"ü\"}},"
				+ " {\"index\": 2, \"error\": null} ]";
		// multi-byte characters before the array: the slice is taken in bytes
		String json = "{\"job_id\":\"" + UUID.randomUUID() + "\",\"model\":\"größe-模型\",\"chunk\":0,"
				+ "\"first_index\":0,\"skipped\":false,\"items\": " + items + " ,\"worker\":\"w\"}";
		byte[] bom = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };
		byte[] text = json.getBytes(StandardCharsets.UTF_8);
		byte[] withBom = new byte[bom.length + text.length];
		System.arraycopy(bom, 0, withBom, 0, bom.length);
		System.arraycopy(text, 0, withBom, bom.length, text.length);
		for (byte[] bytes : List.of(text, withBom)) {
			ChunkCompleted read = EventCodec.decode(bytes, ChunkCompleted.class);
			assertThat(new String(read.items().json(), StandardCharsets.UTF_8)).isEqualTo(items);
			assertThat(read.items().size()).isEqualTo(3);
			assertThat(read.items().failed()).isEqualTo(1);
			assertThat(read.model()).isEqualTo("größe-模型");
			assertThat(read.worker()).isEqualTo("w");
		}
		// read any other way, there are no bytes to keep
		assertThatThrownBy(() -> EventCodec.mapper().readValue(json, ChunkCompleted.class))
			.hasMessageContaining("EventCodec.decode");
	}

	@Test
	void joinsEncodedItemsIntoOneArray() {
		ItemResults joined = ItemResults.join(List.of("{\"index\":0}".getBytes(), "{\"index\":1}".getBytes()), 0);
		assertThat(new String(joined.json())).isEqualTo("[{\"index\":0},{\"index\":1}]");
		assertThat(ItemResults.join(List.of(), 0).json()).isEqualTo("[]".getBytes());
		assertThat(ItemResults.EMPTY.size()).isZero();
	}

	@Test
	void refusesItemsThatAreNotAnArrayOfObjects() {
		UUID job = UUID.randomUUID();
		Map<String, String> refused = Map.of("{}", "must be a JSON array", "7", "must be a JSON array", "[[1]]",
				"must be a JSON object", "[{\"index\": 0}, 1]", "must be a JSON object", "[{\"index\": 0}",
				"close marker", "[{\"output\": {}}]", "integer 'index'", "[{\"index\": \"0\"}]", "integer 'index'");
		refused.forEach((items, reason) -> {
			String json = "{\"job_id\":\"" + job + "\",\"chunk\":0,\"first_index\":0,\"skipped\":false,\"items\":"
					+ items + "}";
			assertThatThrownBy(() -> EventCodec.decode(json.getBytes(StandardCharsets.UTF_8), ChunkCompleted.class))
				.as(items)
				.hasMessageContaining(reason);
		});
	}

}
