package dev.batchline.contracts;

import java.util.List;

/**
 * A worker's answer to a {@link PredictionCall}, the body of its 200 response: each
 * request of the call is in one of the three lists, by its id.
 *
 * @param answered the requests predicted, in the call's order
 * @param refused the ids of requests the worker did not take (its queue was full, or it
 * stops): the asker asks another worker
 * @param expired the ids of requests whose deadline passed before their turn: not
 * predicted
 */
public record PredictionReply(List<PredictionCompleted> answered, List<String> refused, List<String> expired) {
}
