package dev.batchline.dispatcher.delivery;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The delivery work queue in Postgres. A due delivery is claimed with
 * {@code FOR UPDATE SKIP LOCKED} and leased (its due time pushed past the attempt's
 * timeout), so a second dispatcher replica never sends it at the same time, and a crashed
 * one's claim runs out and the delivery is tried again.
 */
@Component
class DeliveryQueue {

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
	 */
	record Claimed(UUID id, UUID eventId, UUID jobId, UUID tenantId, UUID endpointId, boolean endpointEnabled,
			long endpointVersion, String url, byte[] payload, int attempts, String destination, UUID lease) {
	}

	/**
	 * Claims due deliveries. An endpoint's delivery is sent to the endpoint's current URL
	 * (so retries follow an endpoint whose URL was changed), read with its state through
	 * the api-service's {@code webhook_destinations} view; a deleted endpoint is not in
	 * it and counts as disabled.
	 */
	@Transactional
	List<Claimed> claimDue(int limit, Duration lease) {
		return this.jdbc.query("""
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
				              d.destination, d.lease_token
				)
				select c.*, coalesce(w.url, c.url) as send_url, coalesce(w.version, 0) as endpoint_version,
				       (c.endpoint_id is null or coalesce(w.enabled, false)) as endpoint_enabled
				from claimed c left join webhook_destinations w on w.endpoint_id = c.endpoint_id
				""",
				(rs, n) -> new Claimed(rs.getObject("id", UUID.class), rs.getObject("event_id", UUID.class),
						rs.getObject("job_id", UUID.class), rs.getObject("tenant_id", UUID.class),
						rs.getObject("endpoint_id", UUID.class), rs.getBoolean("endpoint_enabled"),
						rs.getLong("endpoint_version"), rs.getString("send_url"), rs.getBytes("payload"),
						rs.getInt("attempts"), rs.getString("destination"), rs.getObject("lease_token", UUID.class)),
				limit, lease.toMillis() / 1000.0);
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
				where id = ? and lease_token = ? and status = 'PENDING'
				""", lease.toMillis() / 1000.0, delivery.id(), delivery.lease()) == 1;
	}

	/** Makes a claimed delivery due again later without counting an attempt. */
	void postpone(Claimed delivery, Duration pause) {
		this.jdbc.update(
				"update webhook_deliveries set next_attempt_at = ? where id = ? and lease_token = ? and status = 'PENDING'",
				Timestamp.from(Instant.now().plus(pause)), delivery.id(), delivery.lease());
	}

	/**
	 * Records one attempt and, while the claim is still this sender's, the delivery's new
	 * state and the URL it was sent to.
	 * @param delivery the delivery
	 * @param attempt what happened
	 * @param nextAttempt when to try again; null when the delivery is finished
	 * @param delivered whether it was delivered
	 */
	@Transactional
	void record(Claimed delivery, Attempt attempt, Instant nextAttempt, boolean delivered) {
		UUID id = delivery.id();
		this.jdbc.update("""
				insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, error,
				                              response_excerpt)
				values (?, ?, ?, ?, ?, ?)
				""", id, Timestamp.from(attempt.at()), attempt.statusCode(), (int) attempt.latency().toMillis(),
				attempt.error(), attempt.responseExcerpt());
		String status = delivered ? "SUCCEEDED" : (nextAttempt != null) ? "PENDING" : "FAILED";
		this.jdbc.update("""
				update webhook_deliveries
				set attempts = attempts + 1, last_attempt_at = ?, last_status_code = ?, last_error = ?, status = ?,
				    next_attempt_at = ?, delivered_at = ?, url = ?, lease_token = null
				where id = ? and lease_token = ? and status = 'PENDING'
				""", Timestamp.from(attempt.at()), attempt.statusCode(), attempt.error(), status,
				(nextAttempt != null) ? Timestamp.from(nextAttempt) : null,
				delivered ? Timestamp.from(attempt.at()) : null, delivery.url(), id, delivery.lease());
	}

	/**
	 * Ends a delivery without an attempt, e.g. when its endpoint was disabled meanwhile.
	 */
	void abandon(Claimed delivery, String reason) {
		this.jdbc.update("""
				update webhook_deliveries set status = 'FAILED', last_error = ?, next_attempt_at = null
				where id = ? and lease_token = ? and status = 'PENDING'
				""", reason, delivery.id(), delivery.lease());
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
