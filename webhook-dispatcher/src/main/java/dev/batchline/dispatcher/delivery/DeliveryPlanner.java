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
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

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
 * attempt sends (and signs) the same bytes. An event consumed again plans nothing new:
 * its deliveries are looked up before anything is sent, and the row of an (event id,
 * destination) that is already there is left alone.
 * <p>
 * A poll's new deliveries go to the sender before anything is written
 * ({@link FirstAttempts}); each is then written once, with its first attempt, in one
 * statement for the whole poll.
 */
@Component
class DeliveryPlanner {

	private final JdbcTemplate jdbc;

	private final WebhookProperties properties;

	private final EndpointHealth health;

	DeliveryPlanner(JdbcTemplate jdbc, WebhookProperties properties, EndpointHealth health) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.health = health;
	}

	/**
	 * Plans the deliveries of a poll's events, reading only: one query for the
	 * destinations of all their tenants, one for their callback secrets, one for the
	 * deliveries the events already have.
	 * @param events the events
	 * @param traces the trace context each event carried, by event id
	 * @return the new deliveries, for their first attempts
	 */
	FirstAttempts plan(List<JobEvent> events, Map<UUID, TraceContext> traces) {
		FirstAttempts first = new FirstAttempts();
		List<JobEvent> sent = events.stream()
			.filter((event) -> WebhookPayload.EVENT_TYPES.contains(event.type()))
			.toList();
		if (sent.isEmpty()) {
			return first;
		}
		Map<UUID, List<Endpoint>> endpoints = endpoints(tenants(sent, false));
		Map<UUID, SigningSecrets> callbackSecrets = callbackSecrets(sent);
		Set<String> planned = planned(sent);
		long now = System.nanoTime();
		for (JobEvent event : sent) {
			byte[] payload = EventCodec.encode(payload(event));
			for (Endpoint endpoint : endpoints.getOrDefault(event.tenantId(), List.of())) {
				String destination = "endpoint:" + endpoint.id();
				// an event twice in one poll is planned once too
				if (endpoint.eventTypes().contains(event.type()) && planned.add(event.id() + destination)) {
					first.add(new DeliveryQueue.Claimed(UUID.randomUUID(), event.id(), event.jobId(), event.tenantId(),
							endpoint.id(), true, endpoint.version(), endpoint.url(), payload, 0, destination,
							UUID.randomUUID(), endpoint.secrets(), endpoint.rateLimit(), now, traces.get(event.id()),
							first), event.type());
				}
			}
			if (JobEvent.isTerminal(event.type()) && event.callbackUrl() != null
					&& planned.add(event.id() + DeliveryQueue.CALLBACK)) {
				first.add(
						new DeliveryQueue.Claimed(UUID.randomUUID(), event.id(), event.jobId(), event.tenantId(), null,
								true, 0, event.callbackUrl(), payload, 0, DeliveryQueue.CALLBACK, UUID.randomUUID(),
								callbackSecrets.get(event.tenantId()), null, now, traces.get(event.id()), first),
						event.type());
			}
		}
		return first;
	}

	/**
	 * Writes the deliveries of first attempts in one transaction: each delivery's row
	 * with its first attempt, in one statement, and the endpoints' health. A delivery
	 * whose attempt has not finished is written claimed by this dispatcher (leased), one
	 * the sender gave back due when it was given back for.
	 * @param first the first attempts; what comes in from now on they keep, for the
	 * caller to pass on once this has committed ({@link FirstAttempts#written})
	 * @param lease how long a claim holds
	 * @return the endpoints to disable now
	 */
	@Transactional
	List<EndpointHealth.Failing> write(FirstAttempts first, Duration lease) {
		List<FirstAttempts.Row> rows = first.close();
		insert(rows, lease);
		return this.health.record(rows.stream().map(FirstAttempts.Row::outcome).filter(Objects::nonNull).toList());
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
		List<FirstAttempts.Row> rows = new ArrayList<>();
		long now = System.nanoTime();
		Instant due = Instant.now();
		for (Endpoint endpoint : endpoints(new Object[] { notice.tenantId() }).getOrDefault(notice.tenantId(),
				List.of())) {
			if (endpoint.eventTypes().contains(WebhookEndpointDisabledNotice.EVENT_TYPE)) {
				rows.add(new FirstAttempts.Row(new DeliveryQueue.Claimed(UUID.randomUUID(), notice.id(), null,
						notice.tenantId(), endpoint.id(), true, endpoint.version(), endpoint.url(), payload, 0,
						"endpoint:" + endpoint.id(), null, endpoint.secrets(), endpoint.rateLimit(), now, null, null),
						WebhookEndpointDisabledNotice.EVENT_TYPE, null, due));
			}
		}
		return insert(rows, Duration.ZERO);
	}

	/**
	 * Writes deliveries in one statement, each with its first attempt if it has one:
	 * attempted (with its state after that attempt), given back (due then), or else held
	 * by this dispatcher's sender (claimed for {@code lease}). A row whose event and
	 * destination are already there (an event consumed again meanwhile) is left alone,
	 * and so is the attempt that came with it.
	 * @return how many rows were written
	 */
	private int insert(List<FirstAttempts.Row> rows, Duration lease) {
		if (rows.isEmpty()) {
			return 0;
		}
		Timestamp now = Timestamp.from(Instant.now());
		Timestamp leasedUntil = Timestamp.from(now.toInstant().plus(lease));
		List<DeliveryQueue.Outcome> attempts = rows.stream()
			.map(FirstAttempts.Row::outcome)
			.filter(Objects::nonNull)
			.toList();
		Integer written = this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement(
					"""
							with written as (
							    insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, endpoint_id, url,
							        payload, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error,
							        delivered_at, created_at, destination, lease_token, traceparent, tracestate)
							    select id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload,
							           coalesce(status, 'PENDING'), case when status is null then 0 else 1 end, due, at, code,
							           error, case when status = 'SUCCEEDED' then at end, ?, destination, lease_token,
							           traceparent, tracestate
							    from unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[],
							                ?::bytea[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::integer[], ?::text[],
							                ?::text[], ?::uuid[], ?::text[], ?::text[])
							        as r(id, event_id, event_type, tenant_id, job_id, endpoint_id, url, payload, status, due, at,
							             code, error, destination, lease_token, traceparent, tracestate)
							    on conflict (event_id, destination) do nothing
							    returning id
							), attempted as (
							    insert into webhook_attempts\s"""
							+ DeliveryQueue.ATTEMPT_COLUMNS + """
									select a.* from\s""" + DeliveryQueue.ATTEMPTS + """
									    where a.delivery_id in (select id from written)
									)
									select count(*) from written
									""");
			List<DeliveryQueue.Claimed> deliveries = rows.stream().map(FirstAttempts.Row::delivery).toList();
			statement.setTimestamp(1, now);
			statement.setArray(2,
					connection.createArrayOf("uuid", DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::id)));
			statement.setArray(3,
					connection.createArrayOf("uuid", DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::eventId)));
			statement.setArray(4,
					connection.createArrayOf("text", DeliveryQueue.column(rows, FirstAttempts.Row::eventType)));
			statement.setArray(5, connection.createArrayOf("uuid",
					DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::tenantId)));
			statement.setArray(6,
					connection.createArrayOf("uuid", DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::jobId)));
			statement.setArray(7, connection.createArrayOf("uuid",
					DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::endpointId)));
			statement.setArray(8,
					connection.createArrayOf("text", DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::url)));
			statement.setArray(9, connection.createArrayOf("bytea",
					deliveries.stream().map(DeliveryQueue.Claimed::payload).toArray(byte[][]::new)));
			statement.setArray(10, connection.createArrayOf("text",
					DeliveryQueue.column(rows, (row) -> (row.outcome() != null) ? row.outcome().status() : null)));
			statement.setArray(11,
					connection.createArrayOf("timestamptz", DeliveryQueue.column(rows, (row) -> (row.outcome() != null)
							? row.outcome().next() : (row.due() != null) ? Timestamp.from(row.due()) : leasedUntil)));
			statement.setArray(12, connection.createArrayOf("timestamptz",
					DeliveryQueue.column(rows, (row) -> (row.outcome() != null) ? row.outcome().at() : null)));
			statement.setArray(13, connection.createArrayOf("integer", DeliveryQueue.column(rows,
					(row) -> (row.outcome() != null) ? row.outcome().attempt().statusCode() : null)));
			statement.setArray(14, connection.createArrayOf("text", DeliveryQueue.column(rows,
					(row) -> (row.outcome() != null) ? row.outcome().attempt().error() : null)));
			statement.setArray(15, connection.createArrayOf("text",
					DeliveryQueue.column(deliveries, DeliveryQueue.Claimed::destination)));
			statement.setArray(16, connection.createArrayOf("uuid", DeliveryQueue.column(rows,
					(row) -> (row.outcome() == null && row.due() == null) ? row.delivery().lease() : null)));
			statement.setArray(17, connection.createArrayOf("text", DeliveryQueue.column(deliveries,
					(delivery) -> (delivery.trace() != null) ? delivery.trace().traceparent() : null)));
			statement.setArray(18, connection.createArrayOf("text", DeliveryQueue.column(deliveries,
					(delivery) -> (delivery.trace() != null) ? delivery.trace().tracestate() : null)));
			DeliveryQueue.bindAttempts(connection, statement, 19, attempts);
			return statement;
		}, (rs) -> rs.next() ? rs.getInt(1) : 0);
		return (written != null) ? written : 0;
	}

	/**
	 * The deliveries events already have, as event id + destination: an event consumed
	 * again (its poll's offsets not committed when a dispatcher stopped, or its partition
	 * moved) is not sent twice.
	 */
	private Set<String> planned(List<JobEvent> events) {
		Set<String> planned = new HashSet<>();
		this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement(
					"select event_id, destination from webhook_deliveries where event_id = any(?::uuid[])");
			statement.setArray(1, connection.createArrayOf("uuid", events.stream().map(JobEvent::id).toArray()));
			return statement;
		}, (RowCallbackHandler) (rs) -> planned.add(rs.getString("event_id") + rs.getString("destination")));
		return planned;
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
