package dev.batchline.api.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.batchline.contracts.EventCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chunks hold at most their items and about their bytes, each the JSON array of its items
 * in order, and a single item larger than a chunk gets one of its own.
 */
class ChunkBuilderTests {

	private final List<ChunkBuilder.Chunk> chunks = new ArrayList<>();

	@Test
	void splitsByItemsAndByBytesKeepingTheItemsInOrder() {
		ChunkBuilder builder = new ChunkBuilder(3, 40, this.chunks::add);
		for (int i = 0; i < 7; i++) {
			add(builder, "[" + i + ",1.5]");
		}
		// three items a chunk; then 34 bytes do not fit beside [6,1.5] in 40
		add(builder, "[\"" + "x".repeat(30) + "\"]");
		builder.finish();
		assertThat(this.chunks).extracting((chunk) -> text(chunk.instances()))
			.containsExactly("[[0,1.5],[1,1.5],[2,1.5]]", "[[3,1.5],[4,1.5],[5,1.5]]", "[[6,1.5]]",
					"[[\"" + "x".repeat(30) + "\"]]");
		assertThat(this.chunks).extracting(ChunkBuilder.Chunk::firstIndex).containsExactly(0L, 3L, 6L, 7L);
		assertThat(builder.items()).isEqualTo(8);
		assertThat(builder.chunks()).isEqualTo(4);
	}

	@Test
	void anItemLargerThanAChunkAndThanTheBufferGetsAChunkOfItsOwn() {
		String large = "[" + "1.25,".repeat(10_000) + "0]";
		ChunkBuilder builder = new ChunkBuilder(100, 1024, this.chunks::add);
		add(builder, "[1]");
		add(builder, large);
		add(builder, "[2]");
		builder.finish();
		assertThat(this.chunks).extracting((chunk) -> text(chunk.instances()))
			.containsExactly("[[1]]", "[" + large + "]", "[[2]]");
	}

	@Test
	void writesTreesAsJsonAndKeepsCustomIdsBesideTheirItems() {
		ChunkBuilder builder = new ChunkBuilder(10, 1024, this.chunks::add);
		add(builder, "[1]");
		builder.add(EventCodec.tree("{\"a\": [1, 2]}".getBytes(StandardCharsets.UTF_8)), "second");
		builder.finish();
		assertThat(this.chunks).singleElement().satisfies((chunk) -> {
			assertThat(text(chunk.instances())).isEqualTo("[[1],{\"a\":[1,2]}]");
			assertThat(text(chunk.customIds())).isEqualTo("[null,\"second\"]");
			assertThat(chunk.count()).isEqualTo(2);
		});
		assertThat(builder.bytes()).isEqualTo(chunk(0).instances().length + chunk(0).customIds().length);
	}

	@Test
	void noItemsNoChunk() {
		ChunkBuilder builder = new ChunkBuilder(10, 1024, this.chunks::add);
		builder.finish();
		assertThat(this.chunks).isEmpty();
	}

	private ChunkBuilder.Chunk chunk(int n) {
		return this.chunks.get(n);
	}

	private static void add(ChunkBuilder builder, String json) {
		byte[] bytes = (" " + json + " ").getBytes(StandardCharsets.UTF_8);
		builder.add(bytes, 1, bytes.length - 2, null);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
