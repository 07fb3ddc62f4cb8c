package dev.batchline.contracts;

/**
 * Kafka record headers that Batchline writes besides the CloudEvents {@code ce_*} ones.
 */
public final class RecordHeaders {

	/**
	 * On {@link Topics#chunksDeadLetter()}: why the worker gave up on the chunk (UTF-8
	 * text).
	 */
	public static final String ERROR = "batchline_error";

	/**
	 * On {@link Topics#chunksDeadLetter()}: where the chunk record came from,
	 * {@code <topic>-<partition>@<offset>} (UTF-8 text).
	 */
	public static final String ORIGIN = "batchline_origin";

	private RecordHeaders() {
	}

}
