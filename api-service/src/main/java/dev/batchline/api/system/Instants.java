package dev.batchline.api.system;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Instants a client gives (in a query parameter or inside a cursor): only those
 * PostgreSQL can compare with a {@code timestamptz} column, 4713 BC to 294276 AD, are
 * taken; any other is the client's mistake (400), not the database's.
 */
public final class Instants {

	/** The earliest instant taken: 1 January 4713 BC (ISO year -4712), UTC. */
	public static final Instant EARLIEST = Instant.parse("-4712-01-01T00:00:00Z");

	/** The latest instant taken: the last microsecond of 294276 AD, UTC. */
	public static final Instant LATEST = Instant.parse("+294276-12-31T23:59:59.999999Z");

	private Instants() {
	}

	/**
	 * Reads an ISO-8601 instant a client gave.
	 * @param name the parameter's name, for the problem detail
	 * @param text the text
	 * @return the instant
	 * @throws ApiException 400 when it is not an instant or out of range
	 */
	public static Instant parse(String name, String text) {
		Instant instant;
		try {
			instant = Instant.parse(text.strip());
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-11-22T10:00:00Z");
		}
		return requireInRange(name, instant);
	}

	/**
	 * Checks that an instant lies between {@link #EARLIEST} and {@link #LATEST}.
	 * @param name what holds it, for the problem detail
	 * @param instant the instant
	 * @return the instant
	 * @throws ApiException 400 when it does not
	 */
	public static Instant requireInRange(String name, Instant instant) {
		if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
			throw ApiException.badRequest("'" + name + "' must lie between " + EARLIEST + " and " + LATEST);
		}
		return instant;
	}

}
