package dev.batchline.dispatcher.delivery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.TraceContext;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads {@code job.*} events in the dispatcher's consumer group and plans their
 * deliveries in Postgres (one transaction per poll) before the offsets are committed, so
 * an event is never lost between Kafka and the delivery table; then hands the sender the
 * deliveries planned claimed for it, and wakes it for the others. The trace context an
 * event carries (CloudEvents distributed-tracing extension) is kept with its deliveries.
 */
@Component
class JobEventIntake {

	private static final Logger log = LoggerFactory.getLogger(JobEventIntake.class);

	private final DeliveryPlanner planner;

	private final DeliverySender sender;

	private final MeterRegistry meters;

	JobEventIntake(DeliveryPlanner planner, DeliverySender sender, MeterRegistry meters) {
		this.planner = planner;
		this.sender = sender;
		this.meters = meters;
	}

	@KafkaListener(id = "job-events", topics = "#{@topics.jobEvents()}", groupId = ConsumerGroups.WEBHOOK_DISPATCHERS,
			batch = "true")
	void onJobEvents(List<ConsumerRecord<String, CloudEvent>> records) {
		List<JobEvent> events = new ArrayList<>(records.size());
		Map<UUID, TraceContext> traces = new HashMap<>();
		for (ConsumerRecord<String, CloudEvent> record : records) {
			JobEvent event;
			try {
				event = (record.value() != null) ? CloudEventRecords.data(record.value(), JobEvent.class) : null;
			}
			catch (RuntimeException ex) {
				event = null;
			}
			if (event == null) {
				// can never be planned; retrying it would hold up the partition
				log.warn("Skipping undecodable job event at {}-{}@{}", record.topic(), record.partition(),
						record.offset());
				continue;
			}
			this.meters.counter("batchline.dispatcher.events", "type", event.type()).increment();
			events.add(event);
			TraceContext trace = TraceContext.of(record.value());
			if (trace != null) {
				traces.put(event.id(), trace);
			}
		}
		DeliveryPlanner.Planned planned = this.planner.plan(events, traces, this.sender.room(), this.sender.lease());
		// committed: the deliveries written claimed go to the sender, the others it
		// claims
		this.sender.hand(planned.claimed());
		if (planned.count() > planned.claimed().size()) {
			this.sender.wakeUp();
		}
	}

}
