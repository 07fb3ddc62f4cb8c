package dev.batchline.cli;

/**
 * A failure the client reports as one line on stderr, with the exit code it ends with.
 */
class CliException extends RuntimeException {

	private final int exitCode;

	CliException(int exitCode, String message) {
		super(message);
		this.exitCode = exitCode;
	}

	CliException(int exitCode, String message, Throwable cause) {
		super(message, cause);
		this.exitCode = exitCode;
	}

	int exitCode() {
		return this.exitCode;
	}

}
