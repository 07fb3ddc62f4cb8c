package dev.batchline.api.model;

import dev.batchline.contracts.ModelDeployed;

/**
 * Where a request for a model goes: the served version chosen, and the label that chose
 * it.
 *
 * @param model the model version a worker serves
 * @param label the label named by the request or picked by the split, or null when the
 * version was named or is the newest
 */
public record ModelRoute(ModelDeployed model, String label) {

	/** The version chosen. */
	public String version() {
		return this.model.version();
	}

}
