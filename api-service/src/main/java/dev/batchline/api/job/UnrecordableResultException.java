package dev.batchline.api.job;

import dev.batchline.contracts.DeadLetterReasons;

/**
 * A chunk result that cannot be recorded however often it is tried: it names a job or a
 * chunk that does not exist, or PostgreSQL refuses its data. Anything else that fails
 * while recording (PostgreSQL away, a transaction it aborted) is worth trying again and
 * is thrown as it is.
 */
public class UnrecordableResultException extends RuntimeException {

	private final String reason;

	/**
	 * @param reason why, one of the {@link DeadLetterReasons}
	 * @param message why, for people
	 * @param cause what failed, or null
	 */
	UnrecordableResultException(String reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	/** Why, one of the {@link DeadLetterReasons}. */
	public String reason() {
		return this.reason;
	}

}
