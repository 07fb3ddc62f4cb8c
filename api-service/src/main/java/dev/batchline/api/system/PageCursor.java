package dev.batchline.api.system;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The position after the last row of a page of rows listed newest first by
 * {@code (created_at, id)}: opaque to clients, stable while new rows arrive.
 *
 * @param createdAt the last row's creation time
 * @param id the last row's id
 */
public record PageCursor(Instant createdAt, UUID id) {

	/**
	 * Ends a query of rows listed newest first: the rows after {@code cursor} (if given),
	 * in {@code (created_at, id)} order, one more than {@code limit} (to tell whether a
	 * next page exists).
	 * @param sql the query so far, its {@code where} clause open
	 * @param args the query's arguments so far
	 * @param cursor the previous page's cursor, or null for the first page
	 * @param alias the rows' table alias with its dot ({@code "d."}), or empty
	 * @param limit the page size
	 */
	public static void appendPage(StringBuilder sql, List<Object> args, String cursor, String alias, int limit) {
		if (cursor != null) {
			PageCursor after = decode(cursor);
			sql.append(" and (").append(alias).append("created_at, ").append(alias).append("id) < (?, ?)");
			args.add(Timestamp.from(after.createdAt()));
			args.add(after.id());
		}
		sql.append(" order by ").append(alias).append("created_at desc, ").append(alias).append("id desc limit ?");
		args.add(limit + 1);
	}

	/** The opaque text form. */
	public String encode() {
		String raw = this.createdAt + "|" + this.id;
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Reads a cursor this API returned.
	 * @param cursor the text form
	 * @return the cursor
	 * @throws ApiException 400 when it is not one, or its instant is outside what
	 * PostgreSQL can compare ({@link Instants})
	 */
	public static PageCursor decode(String cursor) {
		PageCursor decoded;
		try {
			String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			int bar = raw.indexOf('|');
			decoded = new PageCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
		}
		catch (RuntimeException ex) {
			throw ApiException.badRequest("'cursor' is not a cursor this API returned");
		}
		if (decoded.createdAt().isBefore(Instants.EARLIEST) || decoded.createdAt().isAfter(Instants.LATEST)) {
			// no cursor this API returned holds such an instant
			throw ApiException.badRequest("'cursor' is not a cursor this API returned");
		}
		return decoded;
	}

}
