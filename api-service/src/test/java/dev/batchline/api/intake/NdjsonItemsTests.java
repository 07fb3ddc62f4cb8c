package dev.batchline.api.intake;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NdjsonItemsTests {

	@Test
	void readsEveryLineAcrossBufferRefillsWhateverItsLineEnd() {
		String longItem = IntStream.range(0, 30000)
			.mapToObj(Integer::toString)
			.collect(Collectors.joining(",", "[", "]"));
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < 20000; i++) {
			lines.add((i == 7000) ? longItem : "[" + i + ", 1.5]");
		}
		String body = "\r\n" + lines.stream().collect(Collectors.joining("\r\n\n")) + " ";
		List<JsonNode> items = read(body, 10_000_000);
		assertThat(items).hasSize(20000);
		assertThat(items.get(6999).get(0).asInt()).isEqualTo(6999);
		assertThat(items.get(7000).size()).isEqualTo(30000);
		assertThat(items.get(19999).get(0).asInt()).isEqualTo(19999);
	}

	@Test
	void readsTheLastLineWithOrWithoutALineEndAndNothingFromABlankBody() {
		assertThat(read("[1]\n[2]", 1000)).extracting((item) -> item.get(0).asInt()).containsExactly(1, 2);
		assertThat(read("[1]\n[2]\n", 1000)).hasSize(2);
		assertThat(read("", 1000)).isEmpty();
		assertThat(read(" \n\t\r\n", 1000)).isEmpty();
	}

	@Test
	void namesTheLineAndItemOfMalformedJson() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("[1]\n\n[2\n[3]", 1000))
			.withMessageContaining("line 3 (instances[1])")
			.satisfies((ex) -> assertThat(ex.properties()).containsEntry("line", 3L).containsEntry("item_index", 1L));
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("[1] [2]", 1000))
			.withMessageContaining("line 1");
	}

	@Test
	void refusesABodyPastItsLimit() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("[1]\n".repeat(100_000), 100_000))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProblemKind.BODY_TOO_LARGE))
			.withMessageContaining("test.limit");
	}

	private static List<JsonNode> read(String body, long maxBytes) {
		NdjsonItems items = new NdjsonItems(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), maxBytes,
				"test.limit", 1_000_000, -1);
		List<JsonNode> all = new ArrayList<>();
		while (items.advance()) {
			JsonNode tree = items.tree();
			String text = new String(items.text(), items.textOffset(), items.textLength(), StandardCharsets.UTF_8);
			assertThat(text).as("the item's text as sent, without the line's blanks").isEqualTo(text.strip());
			assertThat(EventCodec.tree(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(tree);
			all.add(tree);
		}
		return all;
	}

}
