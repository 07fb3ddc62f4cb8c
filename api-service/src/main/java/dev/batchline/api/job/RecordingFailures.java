package dev.batchline.api.job;

import java.sql.SQLException;

import dev.batchline.contracts.DeadLetterReasons;
import jakarta.persistence.PersistenceException;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.TransactionException;

/**
 * Tells a recording failure that the data caused (it will fail again on every attempt)
 * from one of the database's (it may pass later). When in doubt it is the database's: a
 * failure taken for the data's would dead-letter a good result, one taken for the
 * database's is only tried again.
 */
final class RecordingFailures {

	/** The longest explanation kept from a failure. */
	private static final int MAX_MESSAGE = 300;

	private RecordingFailures() {
	}

	/**
	 * The failure as an {@link UnrecordableResultException} when the data caused it, or
	 * the failure itself.
	 */
	static RuntimeException classify(RuntimeException failure) {
		if (failure instanceof UnrecordableResultException) {
			return failure;
		}
		return causedByTheData(failure) ? new UnrecordableResultException(DeadLetterReasons.UNSTORABLE,
				"the database refused the result: " + describe(failure), failure) : failure;
	}

	/**
	 * Whether the data caused the failure: PostgreSQL refused it as a data exception
	 * (SQLSTATE class 22: a NUL character in text, a value too long or out of range) or
	 * as an integrity constraint violation (class 23), or code of ours refused it outside
	 * any database call. A connection that failed or was refused (class 08), a
	 * transaction PostgreSQL rolled back (40), too few resources (53), a server shutting
	 * down (57) and anything else from the database or the transaction manager are the
	 * database's.
	 */
	static boolean causedByTheData(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getSQLState() != null) {
				return sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23");
			}
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof DataIntegrityViolationException) {
				return true;
			}
			if (cause instanceof DataAccessException || cause instanceof TransactionException
					|| cause instanceof PersistenceException || cause instanceof SQLException) {
				return false;
			}
		}
		return true;
	}

	/** What PostgreSQL said (its first line), or the failure, shortened. */
	private static String describe(Throwable failure) {
		String message = failure.toString();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getMessage() != null) {
				message = sql.getMessage();
				break;
			}
		}
		int newline = message.indexOf('\n');
		message = (newline >= 0) ? message.substring(0, newline) : message;
		return (message.length() > MAX_MESSAGE) ? message.substring(0, MAX_MESSAGE) + "…" : message;
	}

}
