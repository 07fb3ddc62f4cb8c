package dev.batchline.dispatcher.delivery;

import java.time.Instant;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.WebhookEndpointDisabled;
import io.cloudevents.CloudEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Tells the api-service, which owns the endpoints, that an endpoint's receiver answered
 * {@code 410 Gone}: a {@link WebhookEndpointDisabled} on {@link Topics#webhookEvents()}.
 * The attempt does not wait for it. A publish that fails loses nothing: the endpoint
 * stays enabled, and its next delivery that meets the 410 publishes again.
 */
@Component
class GoneEndpoints {

	static final String REASON = "the receiver answered 410 Gone";

	private static final Logger log = LoggerFactory.getLogger(GoneEndpoints.class);

	private static final String SOURCE = "webhook-dispatcher";

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	GoneEndpoints(KafkaTemplate<String, CloudEvent> kafka, Topics topics) {
		this.kafka = kafka;
		this.topics = topics;
	}

	/** Asks for the delivery's endpoint to be disabled. */
	void disable(DeliveryQueue.Claimed delivery) {
		WebhookEndpointDisabled event = new WebhookEndpointDisabled(delivery.endpointId(), delivery.tenantId(),
				delivery.endpointVersion(), delivery.id(), REASON, Instant.now());
		String key = delivery.endpointId().toString();
		try {
			this.kafka
				.send(this.topics.webhookEvents(), key, CloudEventRecords.event(UUID.randomUUID().toString(),
						WebhookEndpointDisabled.TYPE, SOURCE, key, event.occurredAt(), event))
				.whenComplete((result, failure) -> {
					if (failure != null) {
						notPublished(delivery, failure);
					}
				});
			log.warn("Webhook endpoint {} to be disabled: its receiver answered 410 Gone", key);
		}
		catch (RuntimeException ex) {
			notPublished(delivery, ex);
		}
	}

	private static void notPublished(DeliveryQueue.Claimed delivery, Throwable failure) {
		log.warn("Webhook endpoint {} answered 410 Gone, but disabling it was not published ({}); the next 410 asks"
				+ " again", delivery.endpointId(), failure.toString());
	}

}
