package dev.batchline.contracts;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A synchronous prediction asked of one worker: the body of
 * {@code POST <worker endpoint>}{@value #PATH} (the endpoint is the one the worker
 * announces in {@link ModelDeployed#endpoint()}). The worker answers with a
 * {@link PredictionCompleted} of the same {@code id}, unless the deadline passes before
 * the request's turn comes: then nobody waits for the answer any more, and it answers 504
 * without predicting.
 *
 * @param id the request's id, unique; the answer's id
 * @param model the model name
 * @param version the model version (always a concrete version, never a label)
 * @param instances the rows, each one TensorFlow Serving "instances" value
 * @param deadline when the asker stops waiting
 */
public record PredictionRequested(String id, String model, String version, List<JsonNode> instances, Instant deadline) {

	/** The path of the workers' prediction endpoint, below their announced endpoint. */
	public static final String PATH = "/internal/v1/predictions";

}
