package dev.batchline.worker.tensors;

import java.util.Arrays;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.items.Rows;
import dev.batchline.worker.model.ServedModel;
import tools.jackson.databind.JsonNode;

/**
 * The input tensors of one predict call over a batch of rows, named and in the order the
 * model takes them. A batch holds either rows of tensor and dense chunks, copied into one
 * input tensor as they are ({@link RowTensors}), or items read as trees, each input
 * filled from every item's JSON values ({@link JsonTensors}). Rows stack into one tensor
 * only when they have the same concrete shapes: rows with the same {@link #stackKey} may
 * share a batch.
 */
public final class InputTensors {

	private final RowTensors rowTensors = new RowTensors();

	/**
	 * The batch's inputs, made by {@code manager}.
	 * @param manager owns the tensors
	 * @param model the model version
	 * @param rows the rows
	 * @param batch the rows of the batch, all with one {@link #stackKey}
	 * @return the inputs
	 */
	public NDList of(NDManager manager, ServedModel model, Rows rows, List<Integer> batch) {
		NDList inputs = new NDList();
		if (rows.itemsOf(batch.get(0)).rows()) {
			NDArray array = this.rowTensors.tensor(manager, model.signature().inputs().get(0), rows, batch);
			array.setName(model.inputOrder().get(0));
			inputs.add(array);
			return inputs;
		}
		boolean single = model.signature().inputs().size() == 1;
		List<JsonNode> items = batch.stream().map(rows::tree).toList();
		for (String name : model.inputOrder()) {
			TensorSpec spec = model.signature()
				.inputs()
				.stream()
				.filter((input) -> input.name().equals(name))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("Input " + name + " is not in the signature"));
			NDArray array = JsonTensors.tensor(manager, spec,
					items.stream().map((item) -> InstanceValidator.tensor(item, spec, single)).toList());
			array.setName(name);
			inputs.add(array);
		}
		return inputs;
	}

	/**
	 * The stack key of every row of a tensor or dense chunk: such rows of several chunks
	 * stack into one batch.
	 */
	public static String stackKey(ChunkItems rows) {
		return "rows" + Arrays.toString(rows.itemShape());
	}

	/**
	 * The stack key of an item read as a tree (and found valid): the concrete shape of
	 * each of its inputs.
	 */
	public static String stackKey(ServedModel model, JsonNode item) {
		boolean single = model.signature().inputs().size() == 1;
		StringBuilder key = new StringBuilder();
		for (TensorSpec spec : model.signature().inputs()) {
			key.append(Arrays.toString(
					JsonTensors.concreteShape(InstanceValidator.tensor(item, spec, single), spec.shape().size() - 1)));
		}
		return key.toString();
	}

}
