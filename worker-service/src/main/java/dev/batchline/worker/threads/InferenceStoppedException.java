package dev.batchline.worker.threads;

/**
 * The worker's inference threads have stopped (the worker is shutting down): the items
 * were not predicted, through no fault of theirs. A listener must let this through, so
 * that its transaction aborts and the chunks are delivered again, and never take it for a
 * chunk that cannot be processed.
 */
public class InferenceStoppedException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	InferenceStoppedException(Throwable cause) {
		super("the worker's inference threads have stopped", cause);
	}

}
