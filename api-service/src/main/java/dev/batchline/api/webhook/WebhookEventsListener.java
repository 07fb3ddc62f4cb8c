package dev.batchline.api.webhook;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabled;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Applies what the webhook dispatcher reports about endpoints on
 * {@code <prefix>.webhook-events}: an endpoint whose receiver answered 410 Gone is
 * disabled here, by the service that owns the endpoints. A report that cannot be read is
 * skipped (it would hold up the partition forever); a database failure is retried by the
 * listener's error handler until it passes.
 */
@Component
class WebhookEventsListener {

	private static final Logger log = LoggerFactory.getLogger(WebhookEventsListener.class);

	private final WebhookEndpointManagement endpoints;

	WebhookEventsListener(WebhookEndpointManagement endpoints) {
		this.endpoints = endpoints;
	}

	@KafkaListener(id = "webhook-events", topics = "#{@topics.webhookEvents()}",
			groupId = ConsumerGroups.WEBHOOK_ENDPOINT_MANAGERS)
	void onWebhookEvent(ConsumerRecord<String, CloudEvent> record) {
		WebhookEndpointDisabled report = decode(record.value());
		if (report == null) {
			log.warn("Skipping an unknown or undecodable webhook event at {}-{}@{}", record.topic(), record.partition(),
					record.offset());
			return;
		}
		this.endpoints.disable(report);
	}

	private static WebhookEndpointDisabled decode(CloudEvent event) {
		if (event == null || !WebhookEndpointDisabled.TYPE.equals(event.getType())) {
			return null;
		}
		try {
			WebhookEndpointDisabled report = CloudEventRecords.data(event, WebhookEndpointDisabled.class);
			return (report.endpointId() != null && report.tenantId() != null) ? report : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
