package dev.batchline.worker.outputs;

import java.util.Arrays;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import dev.batchline.worker.model.ServedModel;
import tools.jackson.core.JsonGenerator;

/**
 * A batch's outputs by name, each read once into a primitive array; row {@code b}'s
 * values of output {@code o} start at {@code b × perItem[o]}. DJL sorts a signature's
 * outputs by name, so an output without a name is named by its position in that order.
 */
public final class Outputs {

	private final String[] names;

	private final long[][] rowShapes;

	private final int[] perItem;

	private final Object[] values;

	/**
	 * Reads the outputs of a predict call.
	 * @param model the model version
	 * @param outputs what the call returned
	 * @param rows the rows of the batch
	 * @throws IllegalStateException when an output does not have a value per row, or has
	 * a type JSON cannot hold
	 */
	public Outputs(ServedModel model, NDList outputs, int rows) {
		List<String> sorted = model.signature().outputs().stream().map(TensorSpec::name).sorted().toList();
		this.names = new String[outputs.size()];
		this.rowShapes = new long[outputs.size()][];
		this.perItem = new int[outputs.size()];
		this.values = new Object[outputs.size()];
		for (int o = 0; o < outputs.size(); o++) {
			NDArray output = outputs.get(o);
			String name = (output.getName() != null && !output.getName().isBlank()) ? output.getName() : sorted.get(o);
			long[] shape = output.getShape().getShape();
			if (shape.length == 0 || shape[0] != rows) {
				throw new IllegalStateException(
						"Output '" + name + "' has shape " + output.getShape() + ", expected " + rows + " rows first");
			}
			this.names[o] = name;
			this.rowShapes[o] = Arrays.copyOfRange(shape, 1, shape.length);
			this.perItem[o] = Math.toIntExact(output.getShape().size() / rows);
			this.values[o] = switch (output.getDataType()) {
				case FLOAT32 -> output.toFloatArray();
				case FLOAT64 -> output.toDoubleArray();
				case INT64 -> output.toLongArray();
				case INT32 -> output.toIntArray();
				case UINT8, INT8 -> output.toType(DataType.INT32, false).toIntArray();
				default -> throw new IllegalStateException(
						"Output type " + output.getDataType() + " cannot be returned as JSON");
			};
		}
	}

	/** Whether every value of row {@code b} can be written as JSON. */
	public boolean finite(int b) {
		for (int o = 0; o < this.values.length; o++) {
			int from = b * this.perItem[o];
			int to = from + this.perItem[o];
			if (this.values[o] instanceof float[] f) {
				for (int i = from; i < to; i++) {
					if (!Float.isFinite(f[i])) {
						return false;
					}
				}
			}
			else if (this.values[o] instanceof double[] d) {
				for (int i = from; i < to; i++) {
					if (!Double.isFinite(d[i])) {
						return false;
					}
				}
			}
		}
		return true;
	}

	/** How many outputs. */
	int size() {
		return this.names.length;
	}

	/** The name of output {@code o}. */
	String name(int o) {
		return this.names[o];
	}

	/** Writes row {@code b}'s value of output {@code o}. */
	void write(JsonGenerator json, int o, int b) {
		int[] at = { b * this.perItem[o] };
		write(json, o, at, 0);
	}

	private void write(JsonGenerator json, int o, int[] at, int depth) {
		long[] shape = this.rowShapes[o];
		if (depth == shape.length) {
			int i = at[0]++;
			switch (this.values[o]) {
				case float[] f -> json.writeNumber(f[i]);
				case double[] d -> json.writeNumber(d[i]);
				case long[] l -> json.writeNumber(l[i]);
				case int[] n -> json.writeNumber(n[i]);
				default -> throw new IllegalStateException("Unexpected output array");
			}
			return;
		}
		json.writeStartArray();
		for (long i = 0; i < shape[depth]; i++) {
			write(json, o, at, depth + 1);
		}
		json.writeEndArray();
	}

}
