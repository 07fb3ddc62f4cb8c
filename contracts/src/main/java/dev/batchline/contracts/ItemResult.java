package dev.batchline.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

/**
 * The outcome of one input item: an output (named output tensors, as TensorFlow Serving's
 * REST API returns them) or an error.
 *
 * @param index the item's index in the job's input order
 * @param output the model output, or {@code null} when the item failed
 * @param error the error, or {@code null} when the item succeeded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemResult(long index, JsonNode output, ItemError error) {

	public static ItemResult success(long index, JsonNode output) {
		return new ItemResult(index, output, null);
	}

	public static ItemResult failure(long index, ItemError error) {
		return new ItemResult(index, null, error);
	}

	/** Whether the item failed. */
	@JsonIgnore
	public boolean failed() {
		return this.error != null;
	}

}
