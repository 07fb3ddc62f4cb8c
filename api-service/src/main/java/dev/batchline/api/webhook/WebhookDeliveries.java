package dev.batchline.api.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.PageCursor;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.webhooks.WebhookReplayRequested;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The delivery log and replays. The dispatcher owns the deliveries: this service reads
 * them through the read-only views {@code webhook_delivery_log} and
 * {@code webhook_attempt_log}, and asks for a replay with a
 * {@link WebhookReplayRequested} written through the outbox, in the transaction that
 * checked it may be replayed. The dispatcher then puts the delivery back in its queue
 * with a fresh schedule, soon but not before the answer (202). It sends the payload
 * stored at planning, so a replay carries the same bytes and the same {@code webhook-id},
 * and receivers that deduplicate on it can.
 */
@Component
public class WebhookDeliveries {

	private static final Logger log = LoggerFactory.getLogger(WebhookDeliveries.class);

	private static final String COLUMNS = """
			d.id, d.event_id, d.event_type, d.job_id, d.endpoint_id, d.url, d.status, d.attempts, d.next_attempt_at,
			d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at""";

	private static final RowMapper<WebhookDelivery> ROW = WebhookDeliveries::delivery;

	private final JdbcTemplate jdbc;

	private final WebhookEndpointManagement endpoints;

	private final Outbox outbox;

	private final Clock clock;

	WebhookDeliveries(JdbcTemplate jdbc, WebhookEndpointManagement endpoints, Outbox outbox, Clock clock) {
		this.jdbc = jdbc;
		this.endpoints = endpoints;
		this.outbox = outbox;
		this.clock = clock;
	}

	/** Which deliveries to list; null fields do not filter. */
	public record Filter(UUID jobId, UUID endpointId, WebhookDelivery.Status status) {
	}

	public record Page(List<WebhookDelivery> deliveries, String nextCursor) {
	}

	/**
	 * An accepted replay, as the API answers it.
	 *
	 * @param replayId the replay's id; absent when there was nothing to replay
	 * @param deliveryId the delivery replayed, for one delivery
	 * @param endpointId the endpoint whose failed deliveries are replayed
	 * @param replayed for an endpoint: how many failed deliveries matched when the replay
	 * was accepted
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record ReplayAccepted(UUID replayId, UUID deliveryId, UUID endpointId, Integer replayed) {
	}

	/**
	 * A page of a tenant's deliveries, newest first. The cursor is the (created_at, id)
	 * of the last delivery of the previous page, so pages stay stable while new ones are
	 * planned.
	 */
	public Page page(UUID tenantId, Filter filter, String cursor, int limit) {
		StringBuilder sql = new StringBuilder(
				"select " + COLUMNS + " from webhook_delivery_log d where d.tenant_id = ?");
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
		PageCursor.appendPage(sql, args, cursor, "d.", limit);
		List<WebhookDelivery> rows = this.jdbc.query(sql.toString(), ROW, args.toArray());
		List<WebhookDelivery> page = rows.subList(0, Math.min(limit, rows.size()));
		String next = (rows.size() > limit)
				? new PageCursor(page.get(page.size() - 1).createdAt(), page.get(page.size() - 1).id()).encode() : null;
		return new Page(List.copyOf(page), next);
	}

	/**
	 * The latest deliveries of each of a tenant's jobs, newest first, at most
	 * {@code perJob} of each, in one statement: a page of jobs shows its deliveries
	 * without a query per job.
	 * @return the deliveries by job; a job without any is absent
	 */
	public Map<UUID, List<WebhookDelivery>> latestOfJobs(UUID tenantId, Collection<UUID> jobIds, int perJob) {
		Map<UUID, List<WebhookDelivery>> byJob = new LinkedHashMap<>();
		if (jobIds.isEmpty()) {
			return byJob;
		}
		this.jdbc.query("select " + COLUMNS + """
				 from (select l.*, row_number() over (partition by l.job_id order by l.created_at desc, l.id desc) as n
				       from webhook_delivery_log l where l.tenant_id = ? and l.job_id = any (?)) d
				where d.n <= ? order by d.created_at desc, d.id desc""", (ps) -> {
			ps.setObject(1, tenantId);
			ps.setArray(2, ps.getConnection().createArrayOf("uuid", jobIds.toArray()));
			ps.setInt(3, perJob);
		}, (rs) -> {
			WebhookDelivery delivery = delivery(rs, 0);
			byJob.computeIfAbsent(delivery.jobId(), (job) -> new ArrayList<>()).add(delivery);
		});
		return byJob;
	}

	/** A tenant's delivery with its attempts, or 404. */
	@Transactional(readOnly = true)
	public WebhookDelivery get(UUID tenantId, UUID id) {
		WebhookDelivery delivery = find(tenantId, id);
		List<WebhookDelivery.Attempt> attempts = this.jdbc.query("""
				select attempted_at, status_code, latency_ms, error, response_excerpt
				from webhook_attempt_log where delivery_id = ? order by id""",
				(rs, n) -> new WebhookDelivery.Attempt(WebhookEndpointManagement.instant(rs, "attempted_at"),
						rs.getObject("status_code", Integer.class), rs.getInt("latency_ms"), rs.getString("error"),
						rs.getString("response_excerpt")),
				id);
		return delivery.withAttemptLog(attempts);
	}

	/**
	 * Asks for a finished delivery (succeeded or dead-lettered) to be replayed. A pending
	 * one is already on its way, and one whose endpoint is disabled or deleted would only
	 * be abandoned by the dispatcher: both are 409s that say so.
	 */
	@Transactional
	public ReplayAccepted replay(UUID tenantId, UUID id) {
		WebhookDelivery delivery = find(tenantId, id);
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
		WebhookReplayRequested replay = WebhookReplayRequested.ofDelivery(tenantId, id, this.clock.instant());
		this.outbox.appendWebhookReplay(replay);
		log.info("Job(id={}) webhook delivery {} ({}) to be replayed", delivery.jobId(), id, delivery.eventType());
		return new ReplayAccepted(replay.id(), id, null, null);
	}

	/**
	 * Asks for an endpoint's dead letters planned at or after {@code since} to be
	 * replayed.
	 * @return the replay, with how many dead letters it matched when accepted
	 */
	@Transactional
	public ReplayAccepted replayFailed(UUID tenantId, UUID endpointId, Instant since) {
		requireEnabled(tenantId, endpointId, WebhookEndpointManagement.notFound(endpointId));
		Integer failed = this.jdbc.queryForObject("""
				select count(*) from webhook_delivery_log
				where endpoint_id = ? and tenant_id = ? and status = 'FAILED' and created_at >= ?
				""", Integer.class, endpointId, tenantId, Timestamp.from(since));
		if (failed == null || failed == 0) {
			return new ReplayAccepted(null, null, endpointId, 0);
		}
		WebhookReplayRequested replay = WebhookReplayRequested.ofFailedSince(tenantId, endpointId, since,
				this.clock.instant());
		this.outbox.appendWebhookReplay(replay);
		log.info("Tenant(id={}) asked to replay {} failed deliveries of webhook endpoint {} since {}", tenantId, failed,
				endpointId, since);
		return new ReplayAccepted(replay.id(), null, endpointId, failed);
	}

	private WebhookDelivery find(UUID tenantId, UUID id) {
		List<WebhookDelivery> found = this.jdbc.query(
				"select " + COLUMNS + " from webhook_delivery_log d where d.id = ? and d.tenant_id = ?", ROW, id,
				tenantId);
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
