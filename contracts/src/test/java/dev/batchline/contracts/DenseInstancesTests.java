package dev.batchline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Items read densely: the numbers the trees hold, and never an item accepted that
 * {@link InstanceValidator} would refuse.
 */
class DenseInstancesTests {

	private static final ModelSignature IRIS = signature("float32", -1, 4);

	@Test
	void readsUniformItemsWithTheNumbersTheTreesHold() {
		String items = "[[5.1,3.5,1.4,0.2],[6,3e0,-5.25,2.3],[1e-3,0,0.0,12345678901]]";
		DenseInstances dense = read(items);
		assertThat(dense).isNotNull();
		assertThat(dense.count()).isEqualTo(3);
		assertThat(dense.shape()).containsExactly(4);
		assertThat(dense.perItem()).isEqualTo(4);
		var trees = EventCodec.tree(items.getBytes(StandardCharsets.UTF_8));
		for (int i = 0; i < 3; i++) {
			for (int f = 0; f < 4; f++) {
				assertThat(dense.values()[i * 4 + f]).isEqualTo(trees.get(i).get(f).doubleValue());
			}
		}
		assertThat(dense.fits(IRIS)).isTrue();
	}

	@Test
	void readsNestedAndScalarItems() {
		DenseInstances nested = read("[[[1,2],[3,4],[5,6]],[[7,8],[9,10],[11,12]]]");
		assertThat(nested.shape()).containsExactly(3, 2);
		assertThat(nested.values()).startsWith(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
		assertThat(nested.fits(signature("int32", -1, 3, 2))).isTrue();
		assertThat(nested.fits(signature("int32", -1, -1, 2))).isTrue();
		assertThat(nested.fits(signature("int32", -1, 2, 3))).isFalse();
		DenseInstances scalars = read("[1,2.5]");
		assertThat(scalars.shape()).isEmpty();
		assertThat(scalars.count()).isEqualTo(2);
		assertThat(scalars.fits(signature("float64", -1))).isTrue();
		assertThat(scalars.fits(signature("int64", -1))).as("2.5 is no integer").isFalse();
	}

	@Test
	void leavesEveryOtherKindOfItemToTheTrees() {
		for (String items : List.of("[[1,2,3,4],[1,2,3]]", "[[[1,2],[3]]]", "[[1,[2]]]", "[{\"features\":[1,2,3,4]}]",
				"[[1,\"x\",3,4]]", "[[1,null,3,4]]", "[[true]]", "[[]]", "[[[[[[[[[[1]]]]]]]]]]")) {
			assertThat(read(items)).as(items).isNull();
		}
	}

	@Test
	void neverAcceptsAnItemTheValidatorRefuses() {
		Random random = new Random(42);
		List<String> pieces = List.of("1", "-2", "0.5", "1e39", "-1e39", "3.4e38", "1e400", "2147483648", "-2147483649",
				"9007199254740993", "1.0", "[1]", "[]", "\"1\"", "null");
		List<ModelSignature> signatures = List.of(IRIS, signature("float64", -1, 4), signature("int32", -1, 4),
				signature("int64", -1, 4), signature("int32", -1, -1), signature("uint8", -1, 4),
				signature("float32", 4));
		int accepted = 0;
		for (int n = 0; n < 5000; n++) {
			List<String> numbers = new ArrayList<>();
			int length = 3 + random.nextInt(2);
			for (int i = 0; i < length; i++) {
				numbers.add(pieces.get(random.nextInt(random.nextBoolean() ? 3 : pieces.size())));
			}
			String item = "[" + String.join(",", numbers) + "]";
			DenseInstances dense = read("[" + item + "]");
			for (ModelSignature signature : signatures) {
				if (dense != null && dense.fits(signature)) {
					accepted++;
					assertThat(InstanceValidator.validate(EventCodec.tree(item.getBytes(StandardCharsets.UTF_8)),
							signature))
						.as(item + " for " + signature)
						.isEmpty();
				}
			}
		}
		assertThat(accepted).as("items accepted densely").isGreaterThan(1000);
	}

	@Test
	void aByteScanIsCertainOnlyOfItemsTheValidatorAccepts() {
		assertThat(DenseInstances.certainlyFits(bytes("[5.1, 3.5, 1.4, 0.2]"), 0, 20, IRIS)).isTrue();
		assertThat(DenseInstances.certainlyFits(bytes(" x[-0,10,0.25,7]"), 2, 14, IRIS)).isTrue();
		for (String item : List.of("[5.1,3.5,1.4]", "[1e3,1,1,1]", "[01,1,1,1]", "[1.,1,1,1]", "[1,1,1,1,]",
				"[1,1,1,1] x", "[\"1\",1,1,1]", "[]", "[1 1,1,1]")) {
			assertThat(DenseInstances.certainlyFits(bytes(item), 0, item.length(), IRIS)).as(item).isFalse();
		}
		Random random = new Random(7);
		List<String> pieces = List.of("1", "-2", "0.5", "-0", "10.125", "0", "007", "1.", ".5", "-", "1e2", "123456789",
				"1234567890", "9".repeat(38), "9".repeat(39) + ".5", "12345678901234567890", " ", "", "1 2", "null",
				"[1]");
		List<ModelSignature> signatures = List.of(IRIS, signature("float64", -1, 4), signature("int32", -1, 4),
				signature("int64", -1, 4), signature("int32", -1, -1), signature("uint8", -1, 4),
				signature("float32", 4), signature("float32", -1, 2, 2));
		int certain = 0;
		for (int n = 0; n < 20000; n++) {
			List<String> numbers = new ArrayList<>();
			int length = 3 + random.nextInt(2);
			for (int i = 0; i < length; i++) {
				numbers.add(pieces.get(random.nextInt(random.nextBoolean() ? 6 : pieces.size())));
			}
			String item = (random.nextInt(10) == 0 ? " " : "") + "["
					+ String.join(random.nextBoolean() ? "," : " , ", numbers) + "]";
			for (ModelSignature signature : signatures) {
				if (DenseInstances.certainlyFits(bytes(item), 0, item.length(), signature)) {
					certain++;
					assertThat(InstanceValidator.validate(EventCodec.tree(bytes(item)), signature))
						.as(item + " for " + signature)
						.isEmpty();
				}
			}
		}
		assertThat(certain).as("items the scan was certain of").isGreaterThan(2000);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** Reads a JSON array of items densely; null when they cannot be. */
	private static DenseInstances read(String items) {
		DenseInstances dense = new DenseInstances(4);
		try (JsonParser parser = EventCodec.mapper().createParser(items.getBytes(StandardCharsets.UTF_8))) {
			parser.nextToken();
			for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
				if (!dense.read(parser, token)) {
					return null;
				}
			}
		}
		return dense;
	}

	private static ModelSignature signature(String dtype, long... shape) {
		List<Long> dims = new ArrayList<>();
		for (long dim : shape) {
			dims.add(dim);
		}
		return new ModelSignature(List.of(new TensorSpec("features", dtype, dims)),
				List.of(new TensorSpec("out", "float32", List.of(-1L, 1L))));
	}

}
