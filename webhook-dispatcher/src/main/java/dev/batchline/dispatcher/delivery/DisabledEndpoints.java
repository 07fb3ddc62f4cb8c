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
 * Asks the api-service, which owns the endpoints, to disable an endpoint: its receiver
 * answered {@code 410 Gone}, or no delivery to it has succeeded for
 * {@code batchline.webhooks.disable-after}. A {@link WebhookEndpointDisabled} with the
 * reason goes to {@link Topics#webhookEvents()}; nothing waits for it. A publish that
 * fails loses nothing: the endpoint stays enabled, and the next 410 (or, for a failing
 * endpoint, the next day's failure) asks again.
 */
@Component
class DisabledEndpoints {

	static final String GONE = "the receiver answered 410 Gone";

	private static final Logger log = LoggerFactory.getLogger(DisabledEndpoints.class);

	private static final String SOURCE = "webhook-dispatcher";

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	DisabledEndpoints(KafkaTemplate<String, CloudEvent> kafka, Topics topics) {
		this.kafka = kafka;
		this.topics = topics;
	}

	/** Asks for the delivery's endpoint to be disabled, for a reason. */
	void disable(DeliveryQueue.Claimed delivery, String reason) {
		WebhookEndpointDisabled event = new WebhookEndpointDisabled(delivery.endpointId(), delivery.tenantId(),
				delivery.endpointVersion(), delivery.id(), reason, Instant.now());
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
			log.warn("Webhook endpoint {} to be disabled: {}", key, reason);
		}
		catch (RuntimeException ex) {
			notPublished(delivery, ex);
		}
	}

	private static void notPublished(DeliveryQueue.Claimed delivery, Throwable failure) {
		log.warn("Webhook endpoint {} is to be disabled, but the request was not published ({}); it is asked again",
				delivery.endpointId(), failure.toString());
	}

}
