package dev.batchline.dispatcher.delivery;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.support.WebhookProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns a job event into deliveries: one per enabled endpoint of the tenant that
 * subscribed to the event's type (read through the api-service's
 * {@code webhook_destinations} view), and one to the job's own callback URL, which
 * travels on the job's terminal event. The payload is built once and stored, so every
 * attempt sends (and signs) the same bytes. Recording is idempotent on (event id,
 * destination): an event consumed twice plans nothing new.
 */
@Component
class DeliveryPlanner {

	private static final Logger log = LoggerFactory.getLogger(DeliveryPlanner.class);

	private final JdbcTemplate jdbc;

	private final WebhookProperties properties;

	DeliveryPlanner(JdbcTemplate jdbc, WebhookProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
	}

	/**
	 * Plans the deliveries of a poll's events in one transaction.
	 * @return how many new deliveries were planned
	 */
	@Transactional
	int plan(List<JobEvent> events) {
		int planned = 0;
		for (JobEvent event : events) {
			planned += plan(event);
		}
		return planned;
	}

	private int plan(JobEvent event) {
		if (!WebhookPayload.EVENT_TYPES.contains(event.type())) {
			return 0;
		}
		byte[] payload = EventCodec.encode(payload(event));
		List<Destination> destinations = new ArrayList<>(this.jdbc.query("""
				select endpoint_id, url from webhook_destinations
				where tenant_id = ? and enabled and ? = any(event_types)
				""", (rs, n) -> new Destination(rs.getObject("endpoint_id", UUID.class), rs.getString("url")),
				event.tenantId(), event.type()));
		if (JobEvent.isTerminal(event.type()) && event.callbackUrl() != null) {
			destinations.add(new Destination(null, event.callbackUrl()));
		}
		int planned = 0;
		Timestamp now = Timestamp.from(Instant.now());
		for (Destination destination : destinations) {
			planned += this.jdbc.update("""
					insert into webhook_deliveries (id, event_id, event_type, tenant_id, job_id, endpoint_id, url,
					    payload, status, attempts, next_attempt_at, created_at, destination)
					values (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)
					on conflict (event_id, destination) do nothing
					""", UUID.randomUUID(), event.id(), event.type(), event.tenantId(), event.jobId(),
					destination.endpointId(), destination.url(), payload, now, now, destination.key());
		}
		if (planned > 0) {
			log.info("Job(id={}) event {}: {} webhook deliveries planned", event.jobId(), event.type(), planned);
		}
		return planned;
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

	private record Destination(UUID endpointId, String url) {

		String key() {
			return (this.endpointId != null) ? "endpoint:" + this.endpointId : "callback";
		}

	}

}
