package dev.batchline.contracts;

import java.util.List;
import java.util.Optional;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InstanceValidatorTests {

	private static final ModelSignature IRIS = new ModelSignature(
			List.of(new TensorSpec("features", "float32", List.of(-1L, 4L))), List.of());

	private static final ModelSignature TWO_INPUTS = new ModelSignature(List
		.of(new TensorSpec("image", "float32", List.of(-1L, -1L, 2L)), new TensorSpec("count", "int64", List.of(-1L))),
			List.of());

	@Test
	void acceptsTheBareTensorOrTheNamedObjectForASingleInputModel() {
		assertThat(validate("[5.1, 3.5, 1.4, 0.2]", IRIS)).isEmpty();
		assertThat(validate("{\"features\": [5.1, 3.5, 1, 0]}", IRIS)).isEmpty();
	}

	@Test
	void namesTheWrongLengthTypeOrMissingInput() {
		assertThat(validate("[5.1, 3.5, 1.4]", IRIS)).hasValueSatisfying((e) -> {
			assertThat(e.code()).isEqualTo(ItemError.BAD_SHAPE);
			assertThat(e.message()).contains("3 values, expected 4");
		});
		assertThat(validate("[5.1, 3.5, 1.4, \"x\"]", IRIS)).hasValueSatisfying((e) -> {
			assertThat(e.code()).isEqualTo(ItemError.BAD_VALUE);
			assertThat(e.message()).contains("[3]", "finite number");
		});
		assertThat(validate("5.1", IRIS).map(ItemError::code)).hasValue(ItemError.BAD_SHAPE);
		assertThat(validate("{\"other\": [1,2,3,4]}", IRIS).map(ItemError::message)).get()
			.asString()
			.contains("missing input 'features'");
		assertThat(validate("null", IRIS)).isPresent();
	}

	@Test
	void checksEveryNamedInputOfAMultiInputModelIncludingFreeAndRaggedDimensions() {
		assertThat(validate("{\"image\": [[1,2],[3,4],[5,6]], \"count\": 3}", TWO_INPUTS)).isEmpty();
		assertThat(validate("{\"image\": [[1,2],[3,4]], \"count\": 2.5}", TWO_INPUTS).map(ItemError::code))
			.hasValue(ItemError.BAD_VALUE);
		assertThat(validate("{\"image\": [[1,2],[3]], \"count\": 2}", TWO_INPUTS).map(ItemError::code))
			.hasValue(ItemError.BAD_SHAPE);
		assertThat(validate("{\"image\": [[1,2]], \"count\": 1, \"extra\": 1}", TWO_INPUTS).map(ItemError::message))
			.get()
			.asString()
			.contains("unknown input 'extra'");
		assertThat(validate("[[1,2]]", TWO_INPUTS).map(ItemError::code)).hasValue(ItemError.BAD_SHAPE);
	}

	@Test
	void refusesValuesOutsideTheDtypesRange() {
		assertThat(validate("[5.1, 3.5, 1e39, 0.2]", IRIS)).hasValueSatisfying((e) -> {
			assertThat(e.code()).isEqualTo(ItemError.BAD_VALUE);
			assertThat(e.message()).contains("[2]", "float32");
		});
		assertThat(validate("[5.1, 3.5, -3.4e38, 0.2]", IRIS)).isEmpty();
		assertThat(validate("{\"image\": [[1,2]], \"count\": 3000000000}", TWO_INPUTS)).isEmpty();
		assertThat(
				validate("{\"image\": [[1,2]], \"count\": 99999999999999999999999}", TWO_INPUTS).map(ItemError::code))
			.hasValue(ItemError.BAD_VALUE);
	}

	@Test
	void aTensorIsRectangularAtEveryDepthNotOnlyAmongSiblings() {
		// every row has two values, but the rows below different parents differ
		ModelSignature cube = new ModelSignature(
				List.of(new TensorSpec("cube", "float32", List.of(-1L, -1L, -1L, -1L))), List.of());
		assertThat(validate("[[[1,2],[3,4]],[[5,6],[7,8]]]", cube)).isEmpty();
		assertThat(validate("[[[1,2],[3,4]],[[5],[6]]]", cube)).hasValueSatisfying((e) -> {
			assertThat(e.code()).isEqualTo(ItemError.BAD_SHAPE);
			assertThat(e.message()).contains("ragged");
		});
		assertThat(validate("[[[1,2],[3,4]],[[5,6]]]", cube).map(ItemError::code)).hasValue(ItemError.BAD_SHAPE);
	}

	private static Optional<ItemError> validate(String json, ModelSignature signature) {
		return InstanceValidator.validate(EventCodec.tree(json.getBytes()), signature);
	}

}
