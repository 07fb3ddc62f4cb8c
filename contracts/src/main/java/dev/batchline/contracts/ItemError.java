package dev.batchline.contracts;

/**
 * Why one item has no output.
 *
 * @param code a stable, machine-readable code, see the constants
 * @param message a human-readable explanation
 */
public record ItemError(String code, String message) {

	/** The item does not match the shape of the model's input. */
	public static final String BAD_SHAPE = "bad_shape";

	/** The item has a value the model cannot take (wrong type, NaN, infinity). */
	public static final String BAD_VALUE = "bad_value";

	/** The model failed on the item. */
	public static final String MODEL_ERROR = "model_error";

	/** The worker does not serve the requested model or version. */
	public static final String MODEL_UNAVAILABLE = "model_unavailable";

	/**
	 * The worker failed on the whole chunk, even on its own (it went to the dead letter
	 * topic).
	 */
	public static final String CHUNK_FAILED = "chunk_failed";

	/** No worker answered the chunk, even after the watchdog's re-drives. */
	public static final String CHUNK_LOST = "chunk_lost";

	/**
	 * The chunk's results were larger than a Kafka record may be (the worker's
	 * {@code max.request.size}, or the results topic's {@code max.message.bytes}).
	 */
	public static final String RESULT_TOO_LARGE = "result_too_large";

	/**
	 * The worker's result for the chunk could not be recorded (it could not be decoded,
	 * or the database refused it); it went to {@link Topics#resultsDeadLetter()}.
	 */
	public static final String RESULT_INVALID = "result_invalid";

}
