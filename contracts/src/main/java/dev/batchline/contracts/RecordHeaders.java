package dev.batchline.contracts;

/**
 * Kafka record headers that Batchline writes besides the CloudEvents {@code ce_*} ones.
 */
public final class RecordHeaders {

	/**
	 * On {@link Topics#chunksDeadLetter()} and {@link Topics#resultsDeadLetter()}: why
	 * the record was given up on, for people (UTF-8 text).
	 */
	public static final String ERROR = "batchline_error";

	/**
	 * On {@link Topics#chunksDeadLetter()} and {@link Topics#resultsDeadLetter()}: why
	 * the record was given up on, as one of the {@link DeadLetterReasons} (UTF-8 text).
	 */
	public static final String REASON = "batchline_reason";

	/**
	 * On {@link Topics#chunksDeadLetter()} and {@link Topics#resultsDeadLetter()}: where
	 * the record came from, {@code <topic>-<partition>@<offset>} (UTF-8 text).
	 */
	public static final String ORIGIN = "batchline_origin";

	private RecordHeaders() {
	}

}
