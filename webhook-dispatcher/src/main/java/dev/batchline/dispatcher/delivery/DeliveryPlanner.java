package dev.batchline.dispatcher.delivery;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.TraceContext;
import dev.batchline.contracts.webhooks.SigningSecrets;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.support.WebhookProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns a job event into deliveries: one per enabled endpoint of the tenant that
 * subscribed to the event's type (read through the api-service's
 * {@code webhook_destinations} view), and one to the job's own callback URL, which
 * travels on the job's terminal event. The payload is built once and stored, so every
 * attempt sends (and signs) the same bytes. Recording is idempotent on (event id,
 * destination): an event consumed twice plans nothing new.
 * <p>
 * Up to the room the sender has, new deliveries are written already claimed by this
 * dispatcher (leased, as {@link DeliveryQueue#claimDue} would), and go to the sender in
 * memory once the transaction has committed: the first attempt costs no claim. The rest
 * are written due now, for the sender's next claim.
 */
@Component
class DeliveryPlanner {

	private final JdbcTemplate jdbc;

	private final WebhookProperties properties;

	DeliveryPlanner(JdbcTemplate jdbc, WebhookProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
	}

	/**
	 * What a poll's events planned.
	 *
	 * @param count how many new deliveries were planned
	 * @param claimed those of them written claimed, for the sender once committed
	 */
	record Planned(int count, List<DeliveryQueue.Claimed> claimed) {
	}

	/**
	 * Plans the deliveries of a poll's events in one transaction: one query for the
	 * destinations of all their tenants (and one for their callback secrets), one insert.
	 * @param events the events
	 * @param traces the trace context each event carried, by event id
	 * @param room how many deliveries the sender can take in memory now
	 * @param lease how long a claim holds
	 * @return what was planned
	 */
	@Transactional
	Planned plan(List<JobEvent> events, Map<UUID, TraceContext> traces, int room, Duration lease) {
		List<JobEvent> sent = events.stream()
			.filter((event) -> WebhookPayload.EVENT_TYPES.contains(event.type()))
			.toList();
		if (sent.isEmpty()) {
			return new Planned(0, List.of());
		}
		Map<UUID, List<Endpoint>> endpoints = endpoints(tenants(sent, false));
		Map<UUID, SigningSecrets> callbackSecrets = callbackSecrets(sent);
		List<DeliveryQueue.Claimed> rows = new ArrayList<>();
		List<String> types = new ArrayList<>();
		long claimedAt = System.nanoTime();
		for (JobEvent event : sent) {
			byte[] payload = EventCodec.encode(payload(event));
			for (Endpoint endpoint : endpoints.getOrDefault(event.tenantId(), List.of())) {
				if (endpoint.eventTypes().contains(event.type())) {
					rows.add(new DeliveryQueue.Claimed(UUID.randomUUID(), event.id(), event.jobId(), event.tenantId(),
							endpoint.id(), true, endpoint.version(), endpoint.url(), payload, 0,
							"endpoint:" + endpoint.id(), (rows.size() < room) ? UUID.randomUUID() : null,
							endpoint.secrets(), endpoint.rateLimit(), claimedAt, traces.get(event.id())));
					types.add(event.type());
				}
			}
			if (JobEvent.isTerminal(event.type()) && event.callbackUrl() != null) {
				rows.add(new DeliveryQueue.Claimed(UUID.randomUUID(), event.id(), event.jobId(), event.tenantId(), null,
						true, 0, event.callbackUrl(), payload, 0, DeliveryQueue.CALLBACK,
						(rows.size() < room) ? UUID.randomUUID() : null, callbackSecrets.get(event.tenantId()), null,
						claimedAt, traces.get(event.id())));
				types.add(event.type());
			}
		}
		return insert(rows, types, lease);
	}

	/**
	 * Plans the {@code webhook.endpoint.disabled} webhook of a notice to the tenant's
	 * enabled endpoints that subscribed to it, due at once (idempotent on the notice's
	 * id).
	 * @return how many new deliveries were planned
	 */
	@Transactional
	int plan(WebhookEndpointDisabledNotice notice) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("endpoint_id", notice.endpointId());
		data.put("url", notice.url());
		data.put("reason", notice.reason());
		data.put("links", Map.of("endpoint",
				this.properties.publicApiUrl().replaceAll("/+$", "") + "/v1/webhook-endpoints/" + notice.endpointId()));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", WebhookEndpointDisabledNotice.EVENT_TYPE);
		body.put("timestamp", notice.occurredAt());
		body.put("data", data);
		byte[] payload = EventCodec.encode(body);
		List<DeliveryQueue.Claimed> rows = new ArrayList<>();
		List<String> types = new ArrayList<>();
		long now = System.nanoTime();
		for (Endpoint endpoint : endpoints(new Object[] { notice.tenantId() }).getOrDefault(notice.tenantId(),
				List.of())) {
			if (endpoint.eventTypes().contains(WebhookEndpointDisabledNotice.EVENT_TYPE)) {
				rows.add(new DeliveryQueue.Claimed(UUID.randomUUID(), notice.id(), null, notice.tenantId(),
						endpoint.id(), true, endpoint.version(), endpoint.url(), payload, 0,
						"endpoint:" + endpoint.id(), null, endpoint.secrets(), endpoint.rateLimit(), now, null));
				types.add(WebhookEndpointDisabledNotice.EVENT_TYPE);
			}
		}
		return insert(rows, types, Duration.ZERO).count();
	}

	/**
	 * Writes planned deliveries in one statement: those with a lease claimed for this
	 * dispatcher, the others due now. A row whose event and destination are already there
	 * (an event consumed again) is left alone: its delivery is under way.
	 */
	private Planned insert(List<DeliveryQueue.Claimed> rows, List<String> types, Duration lease) {
		if (rows.isEmpty()) {
			return new Planned(0, List.of());
		}
		Timestamp now = Timestamp.from(Instant.now());
		Timestamp leasedUntil = Timestamp.from(now.toInstant().plus(lease));
		Set<UUID> inserted = new HashSet<>();
		this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, endpoint_id, url,
					    payload, status, attempts, next_attempt_at, created_at, destination, lease_token, traceparent,
					    tracestate)
					select id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload, 'PENDING', 0, due, ?,
					       destination, lease_token, traceparent, tracestate
					from unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::bytea[],
					            ?::timestamptz[], ?::text[], ?::uuid[], ?::text[], ?::text[])
					    as r(id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload, due, destination,
					         lease_token, traceparent, tracestate)
					on conflict (event_id, destination) do nothing
					returning id
					""");
			statement.setTimestamp(1, now);
			statement.setArray(2, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::id)));
			statement.setArray(3, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::eventId)));
			statement.setArray(4, connection.createArrayOf("text", types.toArray()));
			statement.setArray(5, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::tenantId)));
			statement.setArray(6, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::jobId)));
			statement.setArray(7, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::endpointId)));
			statement.setArray(8, connection.createArrayOf("text", column(rows, DeliveryQueue.Claimed::url)));
			statement.setArray(9, connection.createArrayOf("bytea",
					rows.stream().map(DeliveryQueue.Claimed::payload).toArray(byte[][]::new)));
			statement.setArray(10, connection.createArrayOf("timestamptz",
					column(rows, (row) -> (row.lease() != null) ? leasedUntil : now)));
			statement.setArray(11, connection.createArrayOf("text", column(rows, DeliveryQueue.Claimed::destination)));
			statement.setArray(12, connection.createArrayOf("uuid", column(rows, DeliveryQueue.Claimed::lease)));
			statement.setArray(13, connection.createArrayOf("text",
					column(rows, (row) -> (row.trace() != null) ? row.trace().traceparent() : null)));
			statement.setArray(14, connection.createArrayOf("text",
					column(rows, (row) -> (row.trace() != null) ? row.trace().tracestate() : null)));
			return statement;
		}, (RowCallbackHandler) (rs) -> inserted.add(rs.getObject("id", UUID.class)));
		List<DeliveryQueue.Claimed> claimed = rows.stream()
			.filter((row) -> row.lease() != null && inserted.contains(row.id()))
			.toList();
		return new Planned(inserted.size(), claimed);
	}

	/** One column of the rows, as an array for {@code unnest}. */
	private static Object[] column(List<DeliveryQueue.Claimed> rows, Function<DeliveryQueue.Claimed, ?> value) {
		return rows.stream().map(value).toArray();
	}

	/** The enabled endpoints of tenants, with their secrets, by tenant. */
	private Map<UUID, List<Endpoint>> endpoints(Object[] tenants) {
		Map<UUID, List<Endpoint>> endpoints = new HashMap<>();
		this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					select endpoint_id, tenant_id, url, event_types, version, rate_limit,\s"""
					+ DeliveryQueue.ENDPOINT_KEYS + """
							from webhook_destinations w
							where enabled and tenant_id = any(?::uuid[])
							""");
			statement.setArray(1, connection.createArrayOf("uuid", tenants));
			return statement;
		}, (RowCallbackHandler) (rs) -> endpoints
			.computeIfAbsent(rs.getObject("tenant_id", UUID.class), (tenant) -> new ArrayList<>())
			.add(new Endpoint(rs.getObject("endpoint_id", UUID.class), rs.getString("url"),
					Set.of((String[]) rs.getArray("event_types").getArray()), rs.getLong("version"),
					rs.getObject("rate_limit", Integer.class), DeliveryQueue.secrets(rs))));
		return endpoints;
	}

	/** The callback secrets of the tenants of events with a callback URL. */
	private Map<UUID, SigningSecrets> callbackSecrets(List<JobEvent> events) {
		Object[] tenants = tenants(events, true);
		Map<UUID, SigningSecrets> secrets = new HashMap<>();
		if (tenants.length == 0) {
			return secrets;
		}
		this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					select tenant_id, secret, previous_secret, previous_secret_expires_at
					from webhook_callback_secrets where tenant_id = any(?::uuid[])
					""");
			statement.setArray(1, connection.createArrayOf("uuid", tenants));
			return statement;
		}, (RowCallbackHandler) (rs) -> secrets.put(rs.getObject("tenant_id", UUID.class), DeliveryQueue.secrets(rs)));
		return secrets;
	}

	private static Object[] tenants(List<JobEvent> events, boolean withCallback) {
		return events.stream()
			.filter((event) -> !withCallback || (JobEvent.isTerminal(event.type()) && event.callbackUrl() != null))
			.map(JobEvent::tenantId)
			.distinct()
			.toArray();
	}

	private WebhookPayload payload(JobEvent event) {
		String base = this.properties.publicApiUrl().replaceAll("/+$", "") + "/v1/jobs/" + event.jobId();
		Map<String, Long> counts = new LinkedHashMap<>();
		counts.put("total", event.totalItems());
		counts.put("succeeded", event.succeededItems());
		counts.put("failed", event.failedItems());
		Map<String, String> links = new LinkedHashMap<>();
		links.put("status", base);
		links.put("results", base + "/results");
		return new WebhookPayload(event.type(), event.occurredAt(), new WebhookPayload.JobSummary(event.jobId(),
				event.id(), event.state(), event.model(), event.version(), event.reason(), counts, links));
	}

	private record Endpoint(UUID id, String url, Set<String> eventTypes, long version, Integer rateLimit,
			SigningSecrets secrets) {
	}

}
