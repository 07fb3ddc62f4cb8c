package dev.batchline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
	void joinsEncodedItemsIntoOneArray() {
		ItemResults joined = ItemResults.join(List.of("{\"index\":0}".getBytes(), "{\"index\":1}".getBytes()), 0);
		assertThat(new String(joined.json())).isEqualTo("[{\"index\":0},{\"index\":1}]");
		assertThat(ItemResults.join(List.of(), 0).json()).isEqualTo("[]".getBytes());
		assertThat(ItemResults.EMPTY.size()).isZero();
	}

	@Test
	void refusesItemsThatAreNotAnArrayOfObjects() {
		UUID job = UUID.randomUUID();
		for (String items : List.of("{}", "[[1]]", "7")) {
			String json = "{\"job_id\":\"" + job + "\",\"chunk\":0,\"items\":" + items + "}";
			assertThatThrownBy(() -> EventCodec.decode(json.getBytes(StandardCharsets.UTF_8), ChunkCompleted.class))
				.as(items)
				.isInstanceOf(RuntimeException.class);
		}
	}

}
