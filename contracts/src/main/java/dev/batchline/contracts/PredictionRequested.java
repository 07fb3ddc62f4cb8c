package dev.batchline.contracts;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A synchronous prediction asked of the workers, published to
 * {@link Topics#predictions()} (key = {@code id}). The workers answer with a
 * {@link PredictionCompleted} of the same {@code id} on
 * {@link Topics#predictionResults()}, unless the deadline has passed when they take it:
 * then nobody waits for the answer any more, and they drop it.
 *
 * @param id the request's id, unique; the answer's id
 * @param model the model name
 * @param version the model version (always a concrete version, never a label)
 * @param instances the rows, each one TensorFlow Serving "instances" value
 * @param deadline when the asker stops waiting
 */
public record PredictionRequested(String id, String model, String version, List<JsonNode> instances, Instant deadline) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.prediction.requested";

}
