package dev.batchline.api.inference;

import java.util.List;
import java.util.Map;

import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;

/**
 * The answer to a {@link PredictionRequest}: every row's output, in order.
 *
 * @param id the request's id
 * @param model the model version that answered (for cached rows: whose answer it was)
 * @param label the version label that routed the request (named, or picked by the split),
 * or {@code null}
 * @param rows each row's result (its index, and its output or its error)
 * @param cachedRows how many rows the result cache answered
 */
public record Prediction(String id, ModelDeployed model, String label, List<ItemResult> rows, int cachedRows) {

	/** The header naming the model version that answered. */
	public static final String VERSION_HEADER = "Batchline-Model-Version";

	/**
	 * The header saying whether the cache answered: {@code hit}, {@code partial},
	 * {@code miss}.
	 */
	public static final String CACHE_HEADER = "Batchline-Cache";

	/** The header naming the version label that routed the request, when one did. */
	public static final String LABEL_HEADER = "Batchline-Model-Label";

	/** The headers every door adds to its answer: the version, and what the cache did. */
	public Map<String, String> headers() {
		String cache = (this.cachedRows == 0) ? "miss" : (this.cachedRows == this.rows.size()) ? "hit" : "partial";
		return (this.label != null)
				? Map.of(VERSION_HEADER, this.model.version(), LABEL_HEADER, this.label, CACHE_HEADER, cache)
				: Map.of(VERSION_HEADER, this.model.version(), CACHE_HEADER, cache);
	}

}
