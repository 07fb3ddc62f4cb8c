package dev.batchline.contracts;

import java.util.List;

/**
 * The synchronous predictions one api-service replica asks of one worker at once: the
 * body of {@code POST <worker endpoint>}{@value #PATH} (the endpoint is the one the
 * worker announces in {@link ModelDeployed#endpoint()}). The replica gathers the requests
 * that wait for the same worker into one call, and the worker predicts them together with
 * the others it has; it answers 200 with a {@link PredictionReply}.
 *
 * @param requests the requests, each with an id of its own
 */
public record PredictionCall(List<PredictionRequested> requests) {

	/** The path of the workers' prediction endpoint, below their announced endpoint. */
	public static final String PATH = "/internal/v1/predictions";

}
