package dev.batchline.dispatcher.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import dev.batchline.contracts.TraceContext;
import dev.batchline.contracts.webhooks.SigningSecrets;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The delivery work queue in Postgres. A due delivery is claimed with
 * {@code FOR UPDATE SKIP LOCKED} and leased (its due time pushed past the attempt's
 * timeout), so a second dispatcher replica never sends it at the same time, and a crashed
 * one's claim runs out and the delivery is tried again.
 * <p>
 * A lease token is set only while its delivery is pending: every way out of
 * {@code PENDING} clears it. The statements that update claimed deliveries therefore
 * match them by id and token alone. A test of the status there would lead PostgreSQL to
 * the partial index of due deliveries, whose statistics, taken between bursts, see next
 * to no pending rows, and to a scan of every pending row for each delivery updated.
 */
@Component
class DeliveryQueue {

	/**
	 * The signing keys of an endpoint in {@code webhook_destinations} ({@code w}), as
	 * {@link SigningSecrets}' columns: its {@code whsec_} secrets, or for a {@code v1a}
	 * endpoint its Ed25519 {@code whsk_} keys (the signer tells them by their prefix).
	 */
	static final String ENDPOINT_KEYS = """
			case when w.signature_scheme = 'v1a' then w.signing_key else w.secret end as secret,
			case when w.signature_scheme = 'v1a' then w.previous_signing_key else w.previous_secret end
			    as previous_secret,
			case when w.signature_scheme = 'v1a' then w.previous_key_expires_at else w.previous_secret_expires_at end
			    as previous_secret_expires_at
			""";

	/** The destination key of a job's own callback URL. */
	static final String CALLBACK = "callback";

	/** The columns of {@code webhook_attempts} that {@link #ATTEMPTS} fills. */
	static final String ATTEMPT_COLUMNS = "(delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt)";

	/** Attempts as a table {@code a}, from the six arrays {@link #bindAttempts} binds. */
	static final String ATTEMPTS = """
			unnest(?::uuid[], ?::timestamptz[], ?::integer[], ?::integer[], ?::text[], ?::text[])
			    as a(delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt)
			""";

	private final JdbcTemplate jdbc;

	DeliveryQueue(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * A claimed delivery, with what is needed to send it.
	 *
	 * @param id the delivery
	 * @param eventId the event (the message id is derived from it)
	 * @param jobId the job
	 * @param tenantId the tenant
	 * @param endpointId the endpoint, or null for a job's callback URL
	 * @param endpointEnabled whether the endpoint is still enabled and not deleted (true
	 * for callbacks)
	 * @param endpointVersion the endpoint's version as read at the claim (0 for
	 * callbacks)
	 * @param url where to send: the endpoint's current URL, or the job's callback URL
	 * @param payload the exact bytes to send
	 * @param attempts attempts made before this one
	 * @param destination the destination key (circuit breakers and limits are per
	 * destination)
	 * @param lease the claim's token
	 * @param secrets the destination's signing secrets as read at the claim (the
	 * endpoint's, or the tenant's callback secrets)
	 * @param rateLimit the endpoint's rate limit in messages per second, or null
	 * @param claimedAt when it was claimed ({@link System#nanoTime()})
	 * @param trace the trace context of the job event it delivers, or null
	 * @param first the first attempts it is one of while its row is not written yet, else
	 * null
	 */
	record Claimed(UUID id, UUID eventId, UUID jobId, UUID tenantId, UUID endpointId, boolean endpointEnabled,
			long endpointVersion, String url, byte[] payload, int attempts, String destination, UUID lease,
			SigningSecrets secrets, Integer rateLimit, long claimedAt, TraceContext trace, FirstAttempts first) {
	}

	/**
	 * An attempt to record.
	 *
	 * @param delivery the delivery
	 * @param attempt what happened
	 * @param nextAttempt when to try again; null when the delivery is finished
	 */
	record Outcome(Claimed delivery, Attempt attempt, Instant nextAttempt) {

		String status() {
			return this.attempt.delivered() ? "SUCCEEDED" : (this.nextAttempt != null) ? "PENDING" : "FAILED";
		}

		/** When the attempt was made. */
		Timestamp at() {
			return Timestamp.from(this.attempt.at());
		}

		/** When to try again, or null. */
		Timestamp next() {
			return (this.nextAttempt != null) ? Timestamp.from(this.nextAttempt) : null;
		}

	}

	/**
	 * Claims due deliveries, in one statement. An endpoint's delivery is sent to the
	 * endpoint's current URL (so retries follow an endpoint whose URL was changed), read
	 * with its state and signing secrets through the api-service's
	 * {@code webhook_destinations} view; a deleted endpoint is not in it and counts as
	 * disabled. A job callback's secrets come from {@code webhook_callback_secrets}.
	 */
	List<Claimed> claimDue(int limit, Duration lease) {
		long claimedAt = System.nanoTime();
		return this.jdbc
			.query("""
							with due as (
							    select id from webhook_deliveries
							    where status = 'PENDING' and next_attempt_at <= now()
							    order by next_attempt_at
							    limit ?
							    for update skip locked
							), claimed as (
							    update webhook_deliveries d
							    set next_attempt_at = now() + make_interval(secs => ?), lease_token = gen_random_uuid()
							    from due
							    where d.id = due.id
							    returning d.id, d.event_id, d.job_id, d.tenant_id, d.endpoint_id, d.url, d.payload, d.attempts,
							              d.destination, d.lease_token, d.traceparent, d.tracestate
							)
							select c.*, coalesce(w.url, c.url) as send_url, coalesce(w.version, 0) as endpoint_version,
					       (c.endpoint_id is null or coalesce(w.enabled, false)) as endpoint_enabled, w.rate_limit,
					       coalesce(k.secret, s.secret) as secret, coalesce(k.previous_secret, s.previous_secret) as previous_secret,
					       coalesce(k.previous_secret_expires_at, s.previous_secret_expires_at) as previous_secret_expires_at
					from claimed c
					left join webhook_destinations w on w.endpoint_id = c.endpoint_id
					left join lateral (select\s"""
					+ ENDPOINT_KEYS + """
							) k on c.endpoint_id is not null
							left join webhook_callback_secrets s on c.endpoint_id is null and s.tenant_id = c.tenant_id
							""", (rs, n) -> claimed(rs, claimedAt), limit, lease.toMillis() / 1000.0);
	}

	private static Claimed claimed(ResultSet rs, long claimedAt) throws SQLException {
		return new Claimed(rs.getObject("id", UUID.class), rs.getObject("event_id", UUID.class),
				rs.getObject("job_id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getObject("endpoint_id", UUID.class), rs.getBoolean("endpoint_enabled"),
				rs.getLong("endpoint_version"), rs.getString("send_url"), rs.getBytes("payload"), rs.getInt("attempts"),
				rs.getString("destination"), rs.getObject("lease_token", UUID.class), secrets(rs),
				rs.getObject("rate_limit", Integer.class), claimedAt,
				TraceContext.of(rs.getString("traceparent"), rs.getString("tracestate")), null);
	}

	/**
	 * The signing secrets in a row of {@code webhook_destinations} or
	 * {@code webhook_callback_secrets}.
	 */
	static SigningSecrets secrets(ResultSet rs) throws SQLException {
		Timestamp expires = rs.getTimestamp("previous_secret_expires_at");
		return new SigningSecrets(rs.getString("secret"), rs.getString("previous_secret"),
				(expires != null) ? expires.toInstant() : null);
	}

	/**
	 * Extends a claim just before its attempt, when it is still this sender's: a delivery
	 * that waited in memory past its lease may have been claimed by another sender
	 * meanwhile, and must then not be sent twice.
	 * @return whether the claim still holds (and now for another {@code lease})
	 */
	boolean renew(Claimed delivery, Duration lease) {
		return this.jdbc.update("""
				update webhook_deliveries set next_attempt_at = now() + make_interval(secs => ?)
				where id = ? and lease_token = ?
				""", lease.toMillis() / 1000.0, delivery.id(), delivery.lease()) == 1;
	}

	/** Makes a claimed delivery due again later without counting an attempt. */
	void postpone(Claimed delivery, Duration pause) {
		postpone(List.of(delivery), pause);
	}

	/**
	 * Makes claimed deliveries due again later without counting an attempt, in one
	 * statement. One whose row is not written yet goes back to its first attempts, which
	 * write it due then.
	 */
	void postpone(List<Claimed> deliveries, Duration pause) {
		Instant due = Instant.now().plus(pause);
		List<Claimed> written = deliveries.stream()
			.filter((delivery) -> delivery.first() == null || !delivery.first().giveBack(delivery, due))
			.toList();
		if (written.isEmpty()) {
			return;
		}
		this.jdbc.update((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					update webhook_deliveries d set next_attempt_at = ?, lease_token = null
					from unnest(?::uuid[], ?::uuid[]) as c(id, lease)
					where d.id = c.id and d.lease_token = c.lease
					""");
			statement.setTimestamp(1, Timestamp.from(due));
			statement.setArray(2, connection.createArrayOf("uuid", column(written, Claimed::id)));
			statement.setArray(3, connection.createArrayOf("uuid", column(written, Claimed::lease)));
			return statement;
		});
	}

	/**
	 * Records attempts, two statements for any number of them: the attempts are added to
	 * the log, and each delivery, while its claim is still this sender's, takes its new
	 * state and the URL it was sent to.
	 */
	@Transactional
	void record(List<Outcome> outcomes) {
		if (outcomes.isEmpty()) {
			return;
		}
		this.jdbc.update((connection) -> {
			PreparedStatement statement = connection
				.prepareStatement("insert into webhook_attempts " + ATTEMPT_COLUMNS + " select * from " + ATTEMPTS);
			bindAttempts(connection, statement, 1, outcomes);
			return statement;
		});
		this.jdbc.update((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					update webhook_deliveries d
					set attempts = d.attempts + 1, last_attempt_at = o.at, last_status_code = o.code,
					    last_error = o.error, status = o.status, next_attempt_at = o.next,
					    delivered_at = case when o.status = 'SUCCEEDED' then o.at end, url = o.url, lease_token = null
					from unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::integer[], ?::text[], ?::text[],
					            ?::timestamptz[], ?::text[]) as o(id, lease, at, code, error, status, next, url)
					where d.id = o.id and d.lease_token = o.lease
					""");
			statement.setArray(1, connection.createArrayOf("uuid", column(outcomes, (o) -> o.delivery().id())));
			statement.setArray(2, connection.createArrayOf("uuid", column(outcomes, (o) -> o.delivery().lease())));
			statement.setArray(3, connection.createArrayOf("timestamptz", column(outcomes, Outcome::at)));
			statement.setArray(4,
					connection.createArrayOf("integer", column(outcomes, (o) -> o.attempt().statusCode())));
			statement.setArray(5, connection.createArrayOf("text", column(outcomes, (o) -> o.attempt().error())));
			statement.setArray(6, connection.createArrayOf("text", column(outcomes, Outcome::status)));
			statement.setArray(7, connection.createArrayOf("timestamptz", column(outcomes, Outcome::next)));
			statement.setArray(8, connection.createArrayOf("text", column(outcomes, (o) -> o.delivery().url())));
			return statement;
		});
	}

	/**
	 * Binds the attempts of outcomes to {@link #ATTEMPTS}' parameters.
	 * @param first the index of its first parameter
	 */
	static void bindAttempts(Connection connection, PreparedStatement statement, int first, List<Outcome> outcomes)
			throws SQLException {
		statement.setArray(first, connection.createArrayOf("uuid", column(outcomes, (o) -> o.delivery().id())));
		statement.setArray(first + 1, connection.createArrayOf("timestamptz", column(outcomes, Outcome::at)));
		statement.setArray(first + 2,
				connection.createArrayOf("integer", column(outcomes, (o) -> o.attempt().statusCode())));
		statement.setArray(first + 3,
				connection.createArrayOf("integer", column(outcomes, (o) -> (int) o.attempt().latency().toMillis())));
		statement.setArray(first + 4, connection.createArrayOf("text", column(outcomes, (o) -> o.attempt().error())));
		statement.setArray(first + 5,
				connection.createArrayOf("text", column(outcomes, (o) -> o.attempt().responseExcerpt())));
	}

	/** One column of rows, as an array for {@code unnest}. */
	static <T> Object[] column(List<T> rows, Function<T, ?> value) {
		Object[] column = new Object[rows.size()];
		for (int i = 0; i < column.length; i++) {
			column[i] = value.apply(rows.get(i));
		}
		return column;
	}

	/**
	 * Ends a delivery without an attempt, e.g. when its endpoint was disabled meanwhile.
	 */
	void abandon(Claimed delivery, String reason) {
		this.jdbc.update(
				"""
						update webhook_deliveries set status = 'FAILED', last_error = ?, next_attempt_at = null, lease_token = null
						where id = ? and lease_token = ?
						""",
				reason, delivery.id(), delivery.lease());
	}

	/** Pending deliveries, and the age in seconds of the oldest due one. */
	long pending() {
		Long count = this.jdbc.queryForObject("select count(*) from webhook_deliveries where status = 'PENDING'",
				Long.class);
		return (count != null) ? count : 0;
	}

	double oldestPendingAgeSeconds() {
		Double age = this.jdbc.queryForObject("""
				select coalesce(extract(epoch from now() - min(created_at)), 0)
				from webhook_deliveries where status = 'PENDING'
				""", Double.class);
		return (age != null) ? age : 0;
	}

}
