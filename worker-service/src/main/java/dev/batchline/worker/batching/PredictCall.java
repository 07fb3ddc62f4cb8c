package dev.batchline.worker.batching;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResults;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.items.Rows;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.outputs.Outputs;
import dev.batchline.worker.outputs.ResultWriter;
import dev.batchline.worker.tensors.InputTensors;
import dev.batchline.worker.threads.Lane;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * One predict call over a batch: its input tensors, the call on this thread's predictor,
 * and every row's result written (a row whose outputs are not finite numbers fails on its
 * own). A batch's call is counted in {@code batchline.worker.batch.size} and timed in
 * {@code batchline.worker.predict}; a warm-up's is not, so the metrics show real work
 * only.
 */
@Component
public class PredictCall {

	private final InputTensors inputs = new InputTensors();

	private final MeterRegistry meters;

	private final Map<Lane, DistributionSummary> batchSizes = new EnumMap<>(Lane.class);

	public PredictCall(MeterRegistry meters) {
		this.meters = meters;
		for (Lane lane : Lane.values()) {
			this.batchSizes.put(lane,
					DistributionSummary.builder("batchline.worker.batch.size")
						.description("Rows per predict call")
						.tag("lane", lane.tag())
						.register(meters));
		}
	}

	/**
	 * Predicts a batch and writes its rows' results, counted in the metrics.
	 * @param lane the lane it runs on, a tag of the metrics
	 * @param model the model version
	 * @param rows the rows
	 * @param batch the rows of the batch, all of one stack key
	 * @param writer writes the results
	 * @throws TranslateException when the model fails on the batch
	 */
	void measured(Lane lane, ServedModel model, Rows rows, List<Integer> batch, ResultWriter writer)
			throws TranslateException {
		run(lane, model, rows, batch, writer, true);
	}

	/**
	 * Predicts all the items in one call, straight: no grouping, no metrics, no search
	 * for a bad item. For warming a model up.
	 * @param model the model version
	 * @param items items the model takes as they are, at most a batch of them
	 * @return their results
	 * @throws TranslateException when the model fails on them
	 */
	public ItemResults unmeasured(ServedModel model, ChunkItems items) throws TranslateException {
		Rows rows = new Rows(List.of(items));
		try (ResultWriter writer = new ResultWriter()) {
			run(Lane.BATCH, model, rows, IntStream.range(0, rows.size()).boxed().toList(), writer, false);
		}
		return rows.results().get(0);
	}

	private void run(Lane lane, ServedModel model, Rows rows, List<Integer> batch, ResultWriter writer,
			boolean measured) throws TranslateException {
		long start = System.nanoTime();
		// the inputs on the model's device, not the engine's default one
		try (NDManager manager = NDManager.newBaseManager(model.device(), "TensorFlow")) {
			NDList outputs = model.predictor().predict(this.inputs.of(manager, model, rows, batch));
			Outputs named = new Outputs(model, outputs, batch.size());
			for (int b = 0; b < batch.size(); b++) {
				int r = batch.get(b);
				if (named.finite(b)) {
					rows.succeed(r, writer.success(rows.index(r), named, b));
				}
				else {
					rows.fail(r, new ItemError(ItemError.MODEL_ERROR,
							"the model produced a non-finite number for this item"));
				}
			}
			if (!measured) {
				return;
			}
			this.batchSizes.get(lane).record(batch.size());
			Timer.builder("batchline.worker.predict")
				.description("Time of one batch: its input tensor, the predict call, its results written")
				.tag("model", model.name())
				.tag("version", model.version())
				.tag("lane", lane.tag())
				.register(this.meters)
				.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		}
	}

}
