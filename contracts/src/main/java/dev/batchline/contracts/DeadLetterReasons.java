package dev.batchline.contracts;

/**
 * The values of {@link RecordHeaders#REASON} on the dead letter topics: why a record was
 * given up on, for machines (the {@link RecordHeaders#ERROR} header says it for people).
 */
public final class DeadLetterReasons {

	/** The record could not be decoded (not a CloudEvent, not the expected JSON). */
	public static final String UNDECODABLE = "undecodable";

	/** A worker failed on the chunk even when it predicted it on its own. */
	public static final String CHUNK_FAILED = "chunk_failed";

	/** The chunk's results were larger than a result record may be. */
	public static final String RESULT_TOO_LARGE = "result_too_large";

	/** The result names a job the api-service does not have. */
	public static final String UNKNOWN_JOB = "unknown_job";

	/** The result names a chunk its job does not have. */
	public static final String UNKNOWN_CHUNK = "unknown_chunk";

	/**
	 * The database refused the result's data (a value it cannot store, a constraint it
	 * violates), on every attempt.
	 */
	public static final String UNSTORABLE = "unstorable";

	private DeadLetterReasons() {
	}

}
