package dev.batchline.cli;

/**
 * The exit codes of the client, for scripts (docs/cli.md has the table). Picocli's own
 * codes keep their meaning: 1 for a fault of the client, 2 for a usage error.
 */
final class ExitCodes {

	static final int OK = 0;

	/**
	 * A fault of the client itself (a bug): reported in one line, never a stack trace.
	 */
	static final int SOFTWARE = 1;

	/** Bad options or arguments, or an input file that cannot be read. */
	static final int USAGE = 2;

	/** The API refused the request (4xx other than 401, 403, 404 and 429). */
	static final int REFUSED = 3;

	/** 401 or 403: no key, a wrong key, or not allowed. */
	static final int AUTH = 4;

	/** 404: no such job (or another tenant's). */
	static final int NOT_FOUND = 5;

	/**
	 * The API could not be reached or failed: network errors, 5xx, 429. Retrying may
	 * help.
	 */
	static final int UNAVAILABLE = 6;

	static final int JOB_FAILED = 10;

	static final int JOB_PARTIALLY_SUCCEEDED = 11;

	static final int JOB_CANCELLED = 12;

	static final int JOB_EXPIRED = 13;

	private ExitCodes() {
	}

	/** What a command that waited for a job exits with, by the job's final state. */
	static int forState(String state) {
		return switch (state) {
			case "SUCCEEDED" -> OK;
			case "FAILED" -> JOB_FAILED;
			case "PARTIALLY_SUCCEEDED" -> JOB_PARTIALLY_SUCCEEDED;
			case "CANCELLED" -> JOB_CANCELLED;
			case "EXPIRED" -> JOB_EXPIRED;
			default -> throw new IllegalArgumentException("Not a terminal state: " + state);
		};
	}

	/** What an API error exits with, by its HTTP status. */
	static int forStatus(int status) {
		return switch (status) {
			case 401, 403 -> AUTH;
			case 404 -> NOT_FOUND;
			case 429 -> UNAVAILABLE;
			default -> (status >= 500) ? UNAVAILABLE : REFUSED;
		};
	}

}
