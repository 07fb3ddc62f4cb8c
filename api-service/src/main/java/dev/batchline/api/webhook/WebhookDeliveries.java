package dev.batchline.api.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.PageCursor;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads the delivery log the dispatcher writes, and replays deliveries: a replay puts a
 * finished delivery back in the dispatcher's queue as if it had just been planned, with a
 * fresh retry schedule. The dispatcher sends the payload stored at planning, so a replay
 * carries the same bytes and the same {@code webhook-id}, and receivers that deduplicate
 * on it can.
 */
@Component
public class WebhookDeliveries {

	private static final Logger log = LoggerFactory.getLogger(WebhookDeliveries.class);

	private static final String COLUMNS = """
			d.id, d.event_id, d.event_type, d.job_id, d.endpoint_id, d.url, d.status, d.attempts, d.next_attempt_at,
			d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at""";

	private static final RowMapper<WebhookDelivery> ROW = WebhookDeliveries::delivery;

	/**
	 * A replayed delivery goes to its endpoint's current URL, so replaying after fixing a
	 * URL reaches the fixed one; a job's own callback keeps its URL.
	 */
	private static final String REPLAY = """
			update webhook_deliveries d
			set status = 'PENDING', attempts = 0, next_attempt_at = ?, last_error = null, delivered_at = null,
			    url = coalesce((select e.url from webhook_endpoints e where e.id = d.endpoint_id), d.url)
			""";

	private final JdbcTemplate jdbc;

	private final WebhookEndpointManagement endpoints;

	private final Clock clock;

	WebhookDeliveries(JdbcTemplate jdbc, WebhookEndpointManagement endpoints, Clock clock) {
		this.jdbc = jdbc;
		this.endpoints = endpoints;
		this.clock = clock;
	}

	/** Which deliveries to list; null fields do not filter. */
	public record Filter(UUID jobId, UUID endpointId, WebhookDelivery.Status status) {
	}

	public record Page(List<WebhookDelivery> deliveries, String nextCursor) {
	}

	/**
	 * A page of a tenant's deliveries, newest first. The cursor is the (created_at, id)
	 * of the last delivery of the previous page, so pages stay stable while new ones are
	 * planned.
	 */
	public Page page(UUID tenantId, Filter filter, String cursor, int limit) {
		StringBuilder sql = new StringBuilder("select " + COLUMNS + " from webhook_deliveries d where d.tenant_id = ?");
		List<Object> args = new ArrayList<>(List.of(tenantId));
		if (filter.jobId() != null) {
			sql.append(" and d.job_id = ?");
			args.add(filter.jobId());
		}
		if (filter.endpointId() != null) {
			sql.append(" and d.endpoint_id = ?");
			args.add(filter.endpointId());
		}
		if (filter.status() != null) {
			sql.append(" and d.status = ?");
			args.add(filter.status().name());
		}
		if (cursor != null) {
			PageCursor after = PageCursor.decode(cursor);
			sql.append(" and (d.created_at, d.id) < (?, ?)");
			args.add(Timestamp.from(after.createdAt()));
			args.add(after.id());
		}
		sql.append(" order by d.created_at desc, d.id desc limit ?");
		args.add(limit + 1);
		List<WebhookDelivery> rows = this.jdbc.query(sql.toString(), ROW, args.toArray());
		List<WebhookDelivery> page = rows.subList(0, Math.min(limit, rows.size()));
		String next = (rows.size() > limit)
				? new PageCursor(page.get(page.size() - 1).createdAt(), page.get(page.size() - 1).id()).encode() : null;
		return new Page(List.copyOf(page), next);
	}

	/** A tenant's delivery with its attempts, or 404. */
	@Transactional(readOnly = true)
	public WebhookDelivery get(UUID tenantId, UUID id) {
		WebhookDelivery delivery = find(tenantId, id, false);
		List<WebhookDelivery.Attempt> attempts = this.jdbc.query("""
				select attempted_at, status_code, latency_ms, error, response_excerpt
				from webhook_attempts where delivery_id = ? order by id""",
				(rs, n) -> new WebhookDelivery.Attempt(WebhookEndpointManagement.instant(rs, "attempted_at"),
						rs.getObject("status_code", Integer.class), rs.getInt("latency_ms"), rs.getString("error"),
						rs.getString("response_excerpt")),
				id);
		return delivery.withAttemptLog(attempts);
	}

	/**
	 * Replays a finished delivery (succeeded or dead-lettered). A pending one is already
	 * on its way, and one whose endpoint is disabled or deleted would only be abandoned
	 * by the dispatcher: both are 409s that say so.
	 */
	@Transactional
	public WebhookDelivery replay(UUID tenantId, UUID id) {
		WebhookDelivery delivery = find(tenantId, id, true);
		if (delivery.status() == WebhookDelivery.Status.PENDING) {
			throw new ApiException(ProblemKind.DELIVERY_PENDING,
					"Webhook delivery " + id + " is still pending: the dispatcher will attempt it at "
							+ delivery.nextAttemptAt() + "; replay it once it has succeeded or failed",
					Map.of("delivery_id", id));
		}
		if (delivery.endpointId() != null) {
			requireEnabled(tenantId, delivery.endpointId(),
					new ApiException(ProblemKind.ENDPOINT_DISABLED,
							"The endpoint of webhook delivery " + id + " was deleted: it cannot be replayed",
							Map.of("endpoint_id", delivery.endpointId())));
		}
		this.jdbc.update(REPLAY + " where d.id = ?", Timestamp.from(this.clock.instant()), id);
		log.info("Job(id={}) webhook delivery {} ({}) replayed", delivery.jobId(), id, delivery.eventType());
		return find(tenantId, id, false);
	}

	/**
	 * Replays an endpoint's dead letters planned at or after {@code since}.
	 * @return how many were replayed
	 */
	@Transactional
	public int replayFailed(UUID tenantId, UUID endpointId, Instant since) {
		requireEnabled(tenantId, endpointId, WebhookEndpointManagement.notFound(endpointId));
		int replayed = this.jdbc.update(
				REPLAY + " where d.endpoint_id = ? and d.tenant_id = ? and d.status = 'FAILED' and d.created_at >= ?",
				Timestamp.from(this.clock.instant()), endpointId, tenantId, Timestamp.from(since));
		log.info("Tenant(id={}) replayed {} failed deliveries of webhook endpoint {} since {}", tenantId, replayed,
				endpointId, since);
		return replayed;
	}

	private WebhookDelivery find(UUID tenantId, UUID id, boolean forUpdate) {
		List<WebhookDelivery> found = this.jdbc.query("select " + COLUMNS
				+ " from webhook_deliveries d where d.id = ? and d.tenant_id = ?" + (forUpdate ? " for update" : ""),
				ROW, id, tenantId);
		if (found.isEmpty()) {
			throw ApiException.notFound("Webhook delivery " + id);
		}
		return found.get(0);
	}

	/**
	 * The endpoint, when it may receive replays.
	 * @param whenGone the error when it does not exist (anymore)
	 */
	private void requireEnabled(UUID tenantId, UUID endpointId, ApiException whenGone) {
		WebhookEndpoint endpoint = this.endpoints.find(tenantId, endpointId).orElseThrow(() -> whenGone);
		if (!endpoint.enabled()) {
			throw new ApiException(ProblemKind.ENDPOINT_DISABLED,
					"Webhook endpoint " + endpointId + " is disabled"
							+ ((endpoint.disabledReason() != null) ? " (" + endpoint.disabledReason() + ")" : "")
							+ ": enable it with PATCH {\"enabled\": true} before replaying",
					Map.of("endpoint_id", endpointId));
		}
	}

	private static WebhookDelivery delivery(ResultSet rs, int row) throws SQLException {
		return new WebhookDelivery(rs.getObject("id", UUID.class), rs.getObject("event_id", UUID.class),
				rs.getString("event_type"), rs.getObject("job_id", UUID.class), rs.getObject("endpoint_id", UUID.class),
				rs.getString("url"), WebhookDelivery.Status.valueOf(rs.getString("status")), rs.getInt("attempts"),
				WebhookEndpointManagement.instant(rs, "next_attempt_at"),
				WebhookEndpointManagement.instant(rs, "last_attempt_at"),
				rs.getObject("last_status_code", Integer.class), rs.getString("last_error"),
				WebhookEndpointManagement.instant(rs, "delivered_at"),
				WebhookEndpointManagement.instant(rs, "created_at"), null);
	}

}
