package dev.batchline.contracts;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A synchronous prediction asked of one worker, one of the requests of a
 * {@link PredictionCall}. The worker answers it with a {@link PredictionCompleted} of the
 * same {@code id}, unless the deadline passes before the request's turn comes: then
 * nobody waits for the answer any more, and the worker reports it expired without
 * predicting.
 *
 * @param id the request's id, unique; the answer's id
 * @param model the model name
 * @param version the model version (always a concrete version, never a label)
 * @param instances the rows, each one TensorFlow Serving "instances" value
 * @param deadline when the asker stops waiting
 */
public record PredictionRequested(String id, String model, String version, List<JsonNode> instances, Instant deadline) {
}
