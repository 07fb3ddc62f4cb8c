package dev.batchline.dispatcher.delivery;

import java.sql.Timestamp;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabledNotice;
import dev.batchline.contracts.webhooks.WebhookReplayRequested;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Performs the replays asked for through the API ({@link WebhookReplayRequested} on
 * {@code webhook-commands}): a finished delivery goes back in the queue, due now, with a
 * fresh schedule and its endpoint's current URL; its payload, and so its
 * {@code webhook-id}, stay the same. A pending delivery is already on its way and is left
 * as it is. Each replay is one statement, and a replay consumed twice changes nothing the
 * second time (the delivery remembers the replay that last put it back). The same topic
 * brings the api-service's {@link WebhookEndpointDisabledNotice}s, whose
 * {@code webhook.endpoint.disabled} webhooks are planned here.
 */
@Component
class ReplayRequests {

	private static final Logger log = LoggerFactory.getLogger(ReplayRequests.class);

	private static final String REPLAY = """
			update webhook_deliveries d
			set status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = null, delivered_at = null,
			    lease_token = null, replay_id = ?,
			    url = coalesce((select w.url from webhook_destinations w where w.endpoint_id = d.endpoint_id), d.url)
			where d.tenant_id = ? and d.status <> 'PENDING' and d.replay_id is distinct from ?
			""";

	private final JdbcTemplate jdbc;

	private final DeliverySender sender;

	private final DeliveryPlanner planner;

	ReplayRequests(JdbcTemplate jdbc, DeliverySender sender, DeliveryPlanner planner) {
		this.jdbc = jdbc;
		this.sender = sender;
		this.planner = planner;
	}

	@KafkaListener(id = "webhook-replays", topics = "#{@topics.webhookCommands()}",
			groupId = ConsumerGroups.WEBHOOK_REPLAYERS)
	void onCommand(ConsumerRecord<String, CloudEvent> record) {
		WebhookEndpointDisabledNotice notice = notice(record.value());
		if (notice != null) {
			if (this.planner.plan(notice) > 0) {
				this.sender.wakeUp();
			}
			return;
		}
		WebhookReplayRequested request = decode(record);
		if (request == null) {
			// can never be performed; retrying it would hold up the partition
			log.warn("Skipping an unknown or undecodable webhook command at {}-{}@{}", record.topic(),
					record.partition(), record.offset());
			return;
		}
		if (replay(request) > 0) {
			this.sender.wakeUp();
		}
	}

	/**
	 * Performs a replay.
	 * @return how many deliveries it put back in the queue
	 */
	int replay(WebhookReplayRequested request) {
		int replayed;
		if (request.deliveryId() != null) {
			replayed = this.jdbc.update(REPLAY + " and d.id = ?", request.id(), request.tenantId(), request.id(),
					request.deliveryId());
			log.info("Webhook delivery {} {}", request.deliveryId(),
					(replayed > 0) ? "replayed" : "not replayed: pending, unknown or replayed already");
		}
		else {
			replayed = this.jdbc.update(REPLAY + " and d.endpoint_id = ? and d.status = 'FAILED' and d.created_at >= ?",
					request.id(), request.tenantId(), request.id(), request.endpointId(),
					Timestamp.from(request.since()));
			log.info("Tenant(id={}) replayed {} failed deliveries of webhook endpoint {} since {}", request.tenantId(),
					replayed, request.endpointId(), request.since());
		}
		return replayed;
	}

	private static WebhookEndpointDisabledNotice notice(CloudEvent event) {
		if (event == null || !WebhookEndpointDisabledNotice.TYPE.equals(event.getType())) {
			return null;
		}
		try {
			WebhookEndpointDisabledNotice notice = CloudEventRecords.data(event, WebhookEndpointDisabledNotice.class);
			return (notice.id() != null && notice.tenantId() != null && notice.endpointId() != null
					&& notice.occurredAt() != null) ? notice : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static WebhookReplayRequested decode(ConsumerRecord<String, CloudEvent> record) {
		CloudEvent event = record.value();
		if (event == null || !WebhookReplayRequested.TYPE.equals(event.getType())) {
			return null;
		}
		try {
			WebhookReplayRequested request = CloudEventRecords.data(event, WebhookReplayRequested.class);
			boolean complete = request.id() != null && request.tenantId() != null
					&& (request.deliveryId() != null || (request.endpointId() != null && request.since() != null));
			return complete ? request : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
