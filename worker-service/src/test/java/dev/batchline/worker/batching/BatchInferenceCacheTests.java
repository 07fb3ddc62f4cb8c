package dev.batchline.worker.batching;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.system.WorkerPropertiesFixtures;
import dev.batchline.worker.threads.InferenceThreads;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The result cache on real DJL inference (the Iris model the build trained): a chunk of
 * many repeated rows runs the model once per distinct row and gives the results of the
 * same chunk uncached, a second chunk of those rows makes no predict call, rows of chunks
 * that did not ask for the cache never touch it, a reloaded model never answers from the
 * outputs of the one before, and the cache stays within its bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchInferenceCacheTests {

	private static final int MAX_BATCH = 256;

	private static final int ITEMS = 1000;

	private static final int DISTINCT = 10;

	private static final Pattern INDEX = Pattern.compile("\"index\":(\\d+)");

	private ModelRepository repository;

	private ServedModel iris;

	private InferenceThreads threads;

	@BeforeAll
	void loadModel() {
		WorkerProperties properties = WorkerPropertiesFixtures.withBatch(MAX_BATCH, false);
		this.repository = new ModelRepository(properties);
		this.iris = this.repository.find("iris", null).orElseThrow();
		this.threads = new InferenceThreads(properties);
	}

	@AfterAll
	void close() {
		this.threads.close();
		this.repository.destroy();
	}

	@Test
	void aChunkOfManyRepeatedRowsRunsTheModelOncePerDistinctRowWithTheResultsOfTheChunkUncached() {
		Worker worker = new Worker(64L * 1024 * 1024);
		String items = repeatedRows(0);
		ItemResults uncached = worker.predict(dense(100, items, false));
		assertThat(worker.predictedRows()).isEqualTo(ITEMS);
		ItemResults cached = worker.predict(dense(100, items, true));
		assertThat(worker.predictedRows()).isEqualTo(ITEMS + DISTINCT);
		assertSameOutputs(cached, uncached);
		assertThat(cached.failed()).isZero();
		assertThat(worker.answered("batch")).isEqualTo(ITEMS - DISTINCT);
		assertThat(worker.answered("cache")).isZero();
		assertThat(worker.gets("miss")).isEqualTo(DISTINCT);
		assertThat(worker.meters.get("cache.size").tag("cache", ResultCache.NAME).gauge().value()).isEqualTo(DISTINCT);
	}

	@Test
	void aSecondChunkWithTheSameRowsIsAnsweredWithoutAnyPredictCall() {
		Worker worker = new Worker(64L * 1024 * 1024);
		String items = repeatedRows(1);
		ItemResults first = worker.predict(dense(0, items, true));
		long calls = worker.predictCalls();
		// the same rows as a tensor record, further on in the job
		ItemResults second = worker.predict(tensor(5000, items, true));
		assertThat(worker.predictCalls()).isEqualTo(calls);
		assertThat(worker.predictedRows()).isEqualTo(DISTINCT);
		assertThat(worker.answered("cache")).isEqualTo(ITEMS);
		assertThat(worker.gets("hit")).isEqualTo(ITEMS);
		List<ItemResult> firstItems = first.toList();
		List<ItemResult> secondItems = second.toList();
		for (int i = 0; i < ITEMS; i++) {
			assertThat(secondItems.get(i).index()).isEqualTo(5000 + i);
			assertThat(secondItems.get(i).output()).isEqualTo(firstItems.get(i).output());
		}
		// a hit is written as a predicted row is, with its own index
		assertThat(json(second)).isEqualTo(INDEX.matcher(json(first))
			.replaceAll((match) -> "\"index\":" + (5000 + Long.parseLong(match.group(1)))));
	}

	@Test
	void rowsOfChunksThatDidNotAskForTheCacheNeverTouchIt() {
		Worker worker = new Worker(64L * 1024 * 1024);
		String items = repeatedRows(2);
		worker.predict(dense(0, items, false));
		worker.predict(trees(0, items, false));
		assertThat(worker.gets("hit") + worker.gets("miss")).isZero();
		assertThat(worker.meters.get("cache.size").tag("cache", ResultCache.NAME).gauge().value()).isZero();
		worker.predict(dense(0, items, true));
		long predicted = worker.predictedRows();
		// the rows are cached now, and still predicted for a chunk that did not ask
		worker.predict(tensor(0, items, false));
		assertThat(worker.predictedRows() - predicted).isEqualTo(ITEMS);
		assertThat(worker.gets("hit")).isZero();
	}

	@Test
	void treesAreKeyedByTheirCanonicalFormAndBadItemsStillFailOnTheirOwn() {
		Worker worker = new Worker(64L * 1024 * 1024);
		List<String> items = List.of("[5.1, 3.5, 1.4, 0.2]", "[5.10, 3.5e0, 1.40, 0.2]", "[51e-1, 3.50, 1.4, 0.20]",
				"[5.1, 3.5, 1.4]", "[6.7, 3.0, 5.2, 2.3]", "[6.7, 3, 5.2, 2.3]", "[5.1, 3.5, 1.4]");
		ItemResults uncached = worker.predict(trees(0, "[" + String.join(",", items) + "]", false));
		long before = worker.predictedRows();
		ItemResults cached = worker.predict(trees(0, "[" + String.join(",", items) + "]", true));
		assertThat(worker.predictedRows() - before).isEqualTo(2);
		assertSameOutputs(cached, uncached);
		List<ItemResult> results = cached.toList();
		assertThat(results.get(3).error().code()).isEqualTo(ItemError.BAD_SHAPE);
		assertThat(results.get(6).error().code()).isEqualTo(ItemError.BAD_SHAPE);
		assertThat(results.get(1).output()).isEqualTo(results.get(0).output());
		assertThat(results.get(5).output().get("class_id").asLong()).isEqualTo(2);
	}

	@Test
	void aModelLoadedAgainNeverAnswersFromTheOutputsOfTheOneBefore() {
		Worker worker = new Worker(64L * 1024 * 1024);
		String items = repeatedRows(3);
		worker.predict(dense(0, items, true));
		ServedModel reloaded = new ServedModel(this.iris.name(), this.iris.version(), this.iris.signature(),
				this.iris.inputOrder(), this.iris.model(), this.iris.loadedAt().plusSeconds(1), this.iris.fingerprint(),
				this.iris.predictors(), this.iris.perThread());
		long before = worker.predictedRows();
		worker.inference.predict(reloaded, List.of(dense(0, items, true)));
		assertThat(worker.predictedRows() - before).isEqualTo(DISTINCT);
		assertThat(worker.gets("hit")).isZero();
	}

	@Test
	void evictsPastItsMaxBytesAndStillAnswersAlike() {
		// room for about three of the ten rows' outputs
		Worker worker = new Worker(700);
		String items = repeatedRows(4);
		ItemResults first = worker.predict(dense(0, items, true));
		double evictions = worker.meters.get("cache.evictions")
			.tag("cache", ResultCache.NAME)
			.functionCounter()
			.count();
		assertThat(evictions).isPositive();
		assertThat(worker.meters.get("cache.size").tag("cache", ResultCache.NAME).gauge().value()).isLessThan(DISTINCT);
		long before = worker.predictedRows();
		ItemResults second = worker.predict(dense(0, items, true));
		// the evicted rows are predicted again, once each
		assertThat(worker.predictedRows() - before).isPositive().isLessThanOrEqualTo(DISTINCT);
		assertSameOutputs(second, first);
	}

	/**
	 * {@link #ITEMS} items of {@link #DISTINCT} distinct Iris rows (of every class),
	 * repeated in a shuffled order; {@code set} picks which rows.
	 */
	private static String repeatedRows(int set) {
		List<IrisData.Row> data = IrisData.rows();
		List<String> distinct = new ArrayList<>();
		for (int d = 0; d < DISTINCT; d++) {
			float[] f = data.get((set * DISTINCT + d * 15 + set) % data.size()).features();
			distinct.add("[" + f[0] + "," + f[1] + "," + f[2] + "," + f[3] + "]");
		}
		assertThat(distinct).doesNotHaveDuplicates();
		List<String> items = new ArrayList<>(ITEMS);
		for (int i = 0; i < ITEMS; i++) {
			items.add(distinct.get((i * 7 + i / DISTINCT) % DISTINCT));
		}
		return items.stream().collect(Collectors.joining(",", "[", "]"));
	}

	private static ChunkItems dense(long firstIndex, String items, boolean cache) {
		DenseInstances dense = DenseInstances.readArray(items.getBytes(StandardCharsets.UTF_8), 4 * ITEMS);
		assertThat(dense).isNotNull();
		return ChunkItems.dense(firstIndex, dense).cached(cache);
	}

	private ChunkItems tensor(long firstIndex, String items, boolean cache) {
		DenseInstances dense = DenseInstances.readArray(items.getBytes(StandardCharsets.UTF_8), 4 * ITEMS);
		ChunkTensors.Tensor tensor = ChunkTensors.decode(
				ChunkTensors.encode(new ChunkSubmitted(UUID.randomUUID(), 0, firstIndex, "iris", "1", List.of(), cache),
						dense, this.iris.signature()));
		return ChunkItems.tensor(tensor);
	}

	private static ChunkItems trees(long firstIndex, String items, boolean cache) {
		List<JsonNode> trees = new ArrayList<>();
		EventCodec.tree(items.getBytes(StandardCharsets.UTF_8)).forEach(trees::add);
		return ChunkItems.trees(firstIndex, trees).cached(cache);
	}

	/**
	 * The same item by item: index, error, class and probabilities. TensorFlow's last
	 * digits depend on a row's batch and its place in it (one row twice in one uncached
	 * batch may differ in the eighth digit), so probabilities are compared within 1e-6.
	 */
	private static void assertSameOutputs(ItemResults actual, ItemResults expected) {
		List<ItemResult> a = actual.toList();
		List<ItemResult> e = expected.toList();
		assertThat(a).hasSameSizeAs(e);
		for (int i = 0; i < e.size(); i++) {
			assertThat(a.get(i).index()).isEqualTo(e.get(i).index());
			assertThat(a.get(i).error()).isEqualTo(e.get(i).error());
			if (e.get(i).output() == null) {
				assertThat(a.get(i).output()).isNull();
				continue;
			}
			assertThat(a.get(i).output().get("class_id")).isEqualTo(e.get(i).output().get("class_id"));
			JsonNode probabilities = e.get(i).output().get("probabilities");
			assertThat(a.get(i).output().get("probabilities")).hasSize(probabilities.size());
			for (int c = 0; c < probabilities.size(); c++) {
				assertThat(a.get(i).output().get("probabilities").get(c).floatValue())
					.isCloseTo(probabilities.get(c).floatValue(), within(1e-6f));
			}
		}
	}

	private static String json(ItemResults results) {
		return new String(results.json(), StandardCharsets.UTF_8);
	}

	/** A worker's inference with a cache and metrics of its own, on the shared model. */
	private final class Worker {

		private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

		private final BatchInference inference;

		Worker(long cacheMaxBytes) {
			WorkerProperties properties = WorkerPropertiesFixtures.withCache(MAX_BATCH, false, cacheMaxBytes);
			this.inference = new BatchInference(properties, BatchInferenceCacheTests.this.threads,
					new PredictCall(this.meters), this.meters, new ResultCache(properties, this.meters));
		}

		ItemResults predict(ChunkItems items) {
			return this.inference.predict(BatchInferenceCacheTests.this.iris, List.of(items)).get(0);
		}

		/** Rows that went into predict calls so far. */
		long predictedRows() {
			return (long) this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().totalAmount();
		}

		long predictCalls() {
			return this.meters.get("batchline.worker.batch.size").tag("lane", "batch").summary().count();
		}

		long answered(String from) {
			return (long) Search.in(this.meters)
				.name("batchline.worker.cache.answered")
				.tag("from", from)
				.counters()
				.stream()
				.mapToDouble((counter) -> counter.count())
				.sum();
		}

		long gets(String result) {
			return (long) this.meters.get("cache.gets")
				.tag("cache", ResultCache.NAME)
				.tag("result", result)
				.functionCounter()
				.count();
		}

	}

}
