package dev.batchline.api.inference;

import java.util.List;

import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed;

/**
 * The answer to a {@link PredictionRequest}: every row's output, in order.
 *
 * @param id the request's id
 * @param model the model version that answered (for cached rows: whose answer it was)
 * @param label the version label the request was routed by, or {@code null}
 * @param rows each row's result (its index, and its output or its error)
 * @param cachedRows how many rows the result cache answered
 */
public record Prediction(String id, ModelDeployed model, String label, List<ItemResult> rows, int cachedRows) {

}
