package dev.batchline.worker.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.engine.IrisData;
import dev.batchline.worker.caching.ResultCache;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.system.WorkerPropertiesFixtures;
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.threads.InferenceThreads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Real DJL inference on the Iris model the build trained: accuracy on the data, outputs
 * equal to a direct predict call, bad items as item errors beside good ones, and batching
 * limits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchInferenceTests {

	private static final int MAX_BATCH = 7;

	private ModelRepository repository;

	private ServedModel iris;

	private SimpleMeterRegistry meters;

	private InferenceThreads threads;

	private BatchInference inference;

	@BeforeAll
	void loadModel() {
		WorkerProperties properties = WorkerPropertiesFixtures.withBatch(MAX_BATCH, false);
		this.repository = new ModelRepository(properties);
		this.iris = this.repository.find("iris", null).orElseThrow();
		this.meters = new SimpleMeterRegistry();
		this.threads = new InferenceThreads(properties);
		this.inference = new BatchInference(properties, this.threads, new PredictCall(this.meters), this.meters,
				new ResultCache(properties, this.meters));
	}

	@AfterAll
	void close() {
		this.threads.close();
		this.repository.destroy();
	}

	@Test
	void batchedOutputsEqualADirectPredictOfEachRow() throws Exception {
		List<IrisData.Row> rows = IrisData.rows().subList(40, 70);
		List<ItemResult> results = predict(rows.stream().map((row) -> json(row.features())).toList());
		try (Predictor<NDList, NDList> predictor = this.iris.model().newPredictor();
				NDManager manager = NDManager.newBaseManager("TensorFlow")) {
			for (int i = 0; i < rows.size(); i++) {
				NDArray features = manager.create(new float[][] { rows.get(i).features() });
				features.setName("features");
				NDList out = predictor.predict(new NDList(features));
				float[] expected = out.get("probabilities").toFloatArray();
				JsonNode output = results.get(i).output();
				assertThat(output.get("class_id").asLong()).isEqualTo(out.get("class_id").toLongArray()[0]);
				for (int c = 0; c < 3; c++) {
					assertThat(output.get("probabilities").get(c).floatValue()).isCloseTo(expected[c], within(1e-5f));
				}
			}
		}
	}

	@Test
	void badItemsGetItemErrorsWhileTheGoodOnesInTheSameBatchSucceed() {
		List<JsonNode> items = new ArrayList<>();
		items.add(tree("[5.1, 3.5, 1.4, 0.2]"));
		items.add(tree("[5.1, 3.5, 1.4]"));
		items.add(tree("{\"features\": [6.7, 3.0, 5.2, 2.3]}"));
		items.add(tree("[5.1, \"x\", 1.4, 0.2]"));
		items.add(tree("{\"other\": [1, 2, 3, 4]}"));
		items.add(tree("[5.1, 3.5, 1e39, 0.2]"));
		items.add(tree("[5.1, 3.5, \"NaN\", 0.2]"));
		items.add(tree("[[5.1, 3.5, 1.4, 0.2]]"));
		items.add(tree("[5.9, 3.0, 4.2, 1.5]"));
		List<ItemResult> results = predict(items);
		assertThat(results).extracting(ItemResult::index).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
		assertThat(results.get(0).failed()).isFalse();
		assertThat(results.get(2).output().get("class_id").asLong()).isEqualTo(2);
		assertThat(results.get(1).error().code()).isEqualTo(ItemError.BAD_SHAPE);
		assertThat(results.get(3).error().code()).isEqualTo(ItemError.BAD_VALUE);
		assertThat(results.get(4).error().code()).isEqualTo(ItemError.BAD_SHAPE);
		assertThat(results.get(5).error().code()).isEqualTo(ItemError.BAD_VALUE);
		assertThat(results.get(5).error().message()).contains("float32");
		assertThat(results.get(6).error().code()).isEqualTo(ItemError.BAD_VALUE);
		assertThat(results.get(7).error().code()).isEqualTo(ItemError.BAD_SHAPE);
		assertThat(results.get(8).output().get("class_id").asLong()).isEqualTo(1);
	}

	@Test
	void neverPutsMoreThanTheMaxBatchSizeIntoOnePredictCall() {
		double before = this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().count();
		double rowsBefore = this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().totalAmount();
		predict(IrisData.rows().subList(0, 20).stream().map((row) -> json(row.features())).toList());
		assertThat(this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().count() - before)
			.isEqualTo(3);
		assertThat(this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().totalAmount()
				- rowsBefore)
			.isEqualTo(20);
		assertThat(this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().max())
			.isLessThanOrEqualTo(MAX_BATCH);
	}

	@Test
	void tensorAndDenseChunksGiveTheSameResultsAsTheSameItemsReadAsTrees() {
		List<IrisData.Row> rows = IrisData.rows().subList(0, 40);
		List<JsonNode> trees = rows.stream().map((row) -> json(row.features())).toList();
		DenseInstances dense = new DenseInstances(16);
		try (JsonParser parser = EventCodec.mapper().createParser(EventCodec.encode(trees))) {
			parser.nextToken();
			for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
				assertThat(dense.read(parser, token)).isTrue();
			}
		}
		assertThat(dense.fits(this.iris.signature())).isTrue();
		// the same rows in the same batches: TensorFlow's last digits may depend on a
		// batch's rows
		ChunkTensors.Tensor tensor = ChunkTensors.decode(ChunkTensors.encode(
				new ChunkSubmitted(UUID.randomUUID(), 0, 100, "iris", "1", List.of()), dense, this.iris.signature()));
		ChunkItems tensorItems = ChunkItems.tensor(tensor);
		assertThat(tensorItems.readyFor(this.iris.signature())).isTrue();
		List<ItemResults> fromDense = this.inference.predict(this.iris, List.of(ChunkItems.dense(100, dense)));
		List<ItemResults> fromTrees = this.inference.predict(this.iris, List.of(ChunkItems.trees(100, trees)));
		List<ItemResults> fromTensor = this.inference.predict(this.iris, List.of(tensorItems));
		assertThat(new String(fromDense.get(0).json())).isEqualTo(new String(fromTrees.get(0).json()));
		assertThat(new String(fromTensor.get(0).json())).isEqualTo(new String(fromTrees.get(0).json()));
		assertThat(fromDense.get(0).size()).isEqualTo(40);
		assertThat(fromDense.get(0).failed()).isZero();
		assertThat(fromDense.get(0).toList()).extracting(ItemResult::index)
			.containsExactlyElementsOf(LongStream.range(100, 140).boxed().toList());
	}

	private List<ItemResult> predict(List<JsonNode> items) {
		return this.inference.predict(this.iris, List.of(ChunkItems.trees(0, items))).get(0).toList();
	}

	private static JsonNode json(float[] features) {
		return tree("[" + features[0] + "," + features[1] + "," + features[2] + "," + features[3] + "]");
	}

	private static JsonNode tree(String json) {
		return EventCodec.tree(json.getBytes());
	}

}
