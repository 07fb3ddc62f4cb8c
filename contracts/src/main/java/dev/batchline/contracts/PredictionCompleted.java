package dev.batchline.contracts;

/**
 * A worker's answer to one {@link PredictionRequested}, in a {@link PredictionReply}.
 * Each row has its output or its item error, exactly as the rows of a job's chunk
 * ({@link ItemResults}, indexes from 0). A worker that does not serve the model answers
 * every row with {@link ItemError#MODEL_UNAVAILABLE}.
 *
 * @param id the request's id
 * @param model the model name
 * @param version the model version that predicted the rows
 * @param workerId the worker that predicted them
 * @param results the rows' results, in the request's order
 */
public record PredictionCompleted(String id, String model, String version, String workerId, ItemResults results) {
}
