package dev.batchline.dispatcher.delivery;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.JobEvent;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads {@code job.*} events in the dispatcher's consumer group. Each event is counted
 * ({@code batchline.dispatcher.events{type}}); this is where deliveries will be recorded.
 */
@Component
class JobEventIntake {

	private static final Logger log = LoggerFactory.getLogger(JobEventIntake.class);

	private final MeterRegistry meters;

	JobEventIntake(MeterRegistry meters) {
		this.meters = meters;
	}

	@KafkaListener(id = "job-events", topics = "#{@topics.jobEvents()}", groupId = "batchline-webhook-dispatcher")
	void onJobEvent(ConsumerRecord<String, CloudEvent> record) {
		if (record.value() == null) {
			log.warn("Skipping undecodable job event at {}-{}@{}", record.topic(), record.partition(), record.offset());
			return;
		}
		JobEvent event = CloudEventRecords.data(record.value(), JobEvent.class);
		this.meters.counter("batchline.dispatcher.events", "type", event.type()).increment();
		log.debug("Job(id={}) event {} received", event.jobId(), event.type());
	}

}
