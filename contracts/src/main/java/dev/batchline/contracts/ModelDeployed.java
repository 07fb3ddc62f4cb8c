package dev.batchline.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A model version that a worker serves, published to the compacted
 * {@link Topics#models()} topic (key = {@code name:version}). The API validates
 * submissions against it.
 *
 * @param name the model name
 * @param version the version (a folder name of the model repository)
 * @param signature the serving signature
 * @param maxBatchSize the largest batch the workers run in one predict call
 * @param deployedAt when the worker loaded the model
 */
public record ModelDeployed(String name, String version, ModelSignature signature, int maxBatchSize,
		Instant deployedAt) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.model.deployed";

	/** The record key of a model version on the models topic. */
	public String key() {
		return this.name + ":" + this.version;
	}

	/**
	 * The inputs and outputs of a model's {@code serving_default} signature.
	 *
	 * @param inputs the input tensors
	 * @param outputs the output tensors
	 */
	public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
	}

	/**
	 * One tensor of a signature.
	 *
	 * @param name the tensor's name in the signature
	 * @param dtype the element type, e.g. {@code float32}
	 * @param shape the shape, {@code -1} for the batch and any other free dimension
	 */
	public record TensorSpec(String name, String dtype, List<Long> shape) {
	}

}
