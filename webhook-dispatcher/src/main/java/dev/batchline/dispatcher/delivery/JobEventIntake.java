package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.time.Instant;
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
 * Reads {@code job.*} events in the dispatcher's consumer group and sends their webhooks:
 * a poll's new deliveries are planned (reading only), their first attempts made at once,
 * and each delivery then written once, with its first attempt, in one transaction for the
 * poll ({@link FirstAttempts}). The poll's offsets are committed after that write, so an
 * event is never lost between Kafka and the delivery table: after a crash it is consumed
 * and sent again, with the same {@code webhook-id}. The poll waits for its first attempts
 * only while their lanes move, so a slow receiver holds up the next poll by about
 * {@link #QUIET}. The trace context an event carries (CloudEvents distributed-tracing
 * extension) is kept with its deliveries.
 */
@Component
class JobEventIntake {

	private static final Logger log = LoggerFactory.getLogger(JobEventIntake.class);

	/**
	 * How long a poll waits for more of its first attempts to finish when none has
	 * finished for this long: those still running are written claimed, and recorded when
	 * they end.
	 */
	private static final Duration QUIET = Duration.ofMillis(50);

	/** The longest a poll waits for its first attempts. */
	private static final Duration MOST = Duration.ofSeconds(1);

	private final DeliveryPlanner planner;

	private final DeliverySender sender;

	private final DeliveryQueue queue;

	private final AttemptLog attemptLog;

	private final DisabledEndpoints disabled;

	private final MeterRegistry meters;

	JobEventIntake(DeliveryPlanner planner, DeliverySender sender, DeliveryQueue queue, AttemptLog attemptLog,
			DisabledEndpoints disabled, MeterRegistry meters) {
		this.planner = planner;
		this.sender = sender;
		this.queue = queue;
		this.attemptLog = attemptLog;
		this.disabled = disabled;
		this.meters = meters;
	}

	/**
	 * Three consumers share the partitions: while one poll waits for its first attempts
	 * or is being written, the others are planned and sent. Their polls together (300
	 * events each) fit in what the sender holds.
	 */
	@KafkaListener(id = "job-events", topics = "#{@topics.jobEvents()}", groupId = ConsumerGroups.WEBHOOK_DISPATCHERS,
			concurrency = "3", batch = "true", properties = "max.poll.records=300")
	void onJobEvents(List<ConsumerRecord<String, CloudEvent>> records) throws InterruptedException {
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
		FirstAttempts first = this.planner.plan(events, traces);
		if (first.isEmpty()) {
			return;
		}
		this.sender.hand(first);
		first.await(QUIET, MOST, this.sender::lastMoved);
		List<EndpointHealth.Failing> failing;
		try {
			failing = this.planner.write(first, this.sender.lease());
		}
		catch (RuntimeException ex) {
			// the poll is consumed again; what the sender still holds of it is dropped
			first.dropped();
			throw ex;
		}
		FirstAttempts.Late late = first.written();
		late.outcomes().forEach(this.attemptLog::add);
		late.givenBack()
			.forEach((delivery, due) -> this.queue.postpone(delivery, Duration.between(Instant.now(), due)));
		failing.forEach((endpoint) -> this.disabled.disable(endpoint.delivery(), endpoint.reason()));
		if (first.gaveBack()) {
			// written due: the sender claims them
			this.sender.wakeUp();
		}
	}

}
