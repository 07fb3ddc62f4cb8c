package dev.batchline.worker.batching;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.djl.translate.TranslateException;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResults;
import dev.batchline.worker.caching.CachedRows;
import dev.batchline.worker.caching.ResultCache;
import dev.batchline.worker.caching.RowKeys;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.items.Rows;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.outputs.ResultWriter;
import dev.batchline.worker.system.WorkerProperties;
import dev.batchline.worker.tensors.InputTensors;
import dev.batchline.worker.threads.InferenceThreads;
import dev.batchline.worker.threads.Lane;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * Runs the items of a poll's chunks through a model in batches. Each item (TensorFlow
 * Serving's REST {@code instances} form) is checked against the signature first; a bad
 * item gets an item error and the others go on. Valid items that stack into one tensor
 * ({@link InputTensors#stackKey}) are gathered into batches of at most
 * {@code max-batch-size} rows across chunk boundaries, one {@link PredictCall} each.
 * Tensor and dense chunks (see {@link ChunkItems}) that fit the model skip the per-item
 * trees: their rows are copied into the input tensor. If a whole batch fails, its items
 * are tried one by one so that only the item the model cannot take fails.
 *
 * <p>
 * Rows of chunks whose job asked for the cache ({@link ChunkItems#cache()}) are keyed by
 * {@link RowKeys}: a row whose output the {@link ResultCache} holds is answered from it,
 * and of the rows of one call with the same key only the first is predicted, the others
 * take its result (with their own index). Rows of other chunks never touch the cache.
 * Counted in {@code batchline.worker.cache.answered{from=cache|batch}}.
 */
@Component
public class BatchInference {

	private static final Logger log = LoggerFactory.getLogger(BatchInference.class);

	private final int maxBatchSize;

	private final InferenceThreads threads;

	private final PredictCall calls;

	private final MeterRegistry meters;

	private final ResultCache cache;

	public BatchInference(WorkerProperties properties, InferenceThreads threads, PredictCall calls,
			MeterRegistry meters, ResultCache cache) {
		this.maxBatchSize = properties.maxBatchSize();
		this.threads = threads;
		this.calls = calls;
		this.meters = meters;
		this.cache = cache;
	}

	/**
	 * Predicts every item of the chunks together, on one of the worker's inference
	 * threads (the caller waits).
	 * @param model the model version
	 * @param chunks the chunks; tensor and dense ones must be {@link ChunkItems#readyFor
	 * ready for} the model
	 * @return each chunk's item results, in order
	 */
	public List<ItemResults> predict(ServedModel model, List<ChunkItems> chunks) {
		return predict(Lane.BATCH, model, chunks);
	}

	/**
	 * Predicts every item of the chunks together, on one of the lane's inference threads
	 * (the caller waits): on {@link Lane#PREDICT} the chunks are the rows of synchronous
	 * predictions, gathered into batches across requests as chunks are across a poll.
	 * @param lane the lane
	 * @param model the model version
	 * @param chunks the chunks; tensor and dense ones must be {@link ChunkItems#readyFor
	 * ready for} the model
	 * @return each chunk's item results, in order
	 */
	public List<ItemResults> predict(Lane lane, ServedModel model, List<ChunkItems> chunks) {
		return this.threads.call(lane, () -> predictHere(lane, model, chunks));
	}

	private List<ItemResults> predictHere(Lane lane, ServedModel model, List<ChunkItems> chunks) {
		Rows rows = new Rows(chunks);
		CachedRows cached = new CachedRows(this.cache, model, rows);
		Map<String, List<Integer>> byShape = new LinkedHashMap<>();
		// a tensor's or dense chunk's rows share one shape, so its key is made once per
		// chunk; such rows of several chunks stack into one batch
		String[] rowKeys = new String[rows.chunks()];
		for (int r = 0; r < rows.size(); r++) {
			int c = rows.chunkOf(r);
			ChunkItems chunk = rows.itemsOf(r);
			if (chunk.rows()) {
				if (chunk.cache() && cached.answered(r)) {
					continue;
				}
				if (rowKeys[c] == null) {
					rowKeys[c] = InputTensors.stackKey(chunk);
				}
				byShape.computeIfAbsent(rowKeys[c], (key) -> new ArrayList<>()).add(r);
				continue;
			}
			JsonNode item = rows.tree(r);
			Optional<ItemError> error = InstanceValidator.validate(item, model.signature());
			if (error.isPresent()) {
				rows.fail(r, error.get());
			}
			else if (!chunk.cache() || !cached.answered(r)) {
				byShape.computeIfAbsent(InputTensors.stackKey(model, item), (key) -> new ArrayList<>()).add(r);
			}
		}
		try (ResultWriter writer = new ResultWriter()) {
			for (List<Integer> group : byShape.values()) {
				for (int from = 0; from < group.size(); from += this.maxBatchSize) {
					List<Integer> batch = group.subList(from, Math.min(group.size(), from + this.maxBatchSize));
					runBatch(lane, model, rows, batch, writer);
				}
			}
		}
		cached.finish();
		count(model, rows);
		return rows.results();
	}

	private void runBatch(Lane lane, ServedModel model, Rows rows, List<Integer> batch, ResultWriter writer) {
		try {
			this.calls.measured(lane, model, rows, batch, writer);
		}
		catch (TranslateException | RuntimeException ex) {
			if (batch.size() == 1) {
				int r = batch.get(0);
				log.warn("Model {}:{} failed on item {}: {}", model.name(), model.version(), rows.index(r),
						ex.toString());
				rows.fail(r, new ItemError(ItemError.MODEL_ERROR, "the model failed on this item: " + ex.getMessage()));
				return;
			}
			// find the item(s) the model cannot take; the others still get their outputs
			for (Integer r : batch) {
				runBatch(lane, model, rows, List.of(r), writer);
			}
		}
	}

	private void count(ServedModel model, Rows rows) {
		long failed = rows.failedCount();
		this.meters
			.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome", "success")
			.increment(rows.size() - failed);
		if (failed > 0) {
			this.meters
				.counter("batchline.worker.items", "model", model.name(), "version", model.version(), "outcome",
						"error")
				.increment(failed);
		}
	}

}
