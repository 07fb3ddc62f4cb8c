package dev.batchline.dispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.TestInfrastructure;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.awaitility.Awaitility.await;

@SpringBootTest(properties = "batchline.topics.prefix=dispatcher-it")
class JobEventIntakeIntegrationTests {

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		TestInfrastructure.kafka(registry);
	}

	@Test
	void consumesJobEventsFromKafkaAndCountsThemByType() {
		UUID jobId = UUID.randomUUID();
		JobEvent event = new JobEvent(UUID.randomUUID(), JobEvent.SUCCEEDED, Instant.now(), jobId, UUID.randomUUID(),
				"iris", "1", "SUCCEEDED", "done", 3, 3, 0);
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer", StringSerializer.class,
						"value.serializer", CloudEventSerializer.class))) {
			producer
				.send(new ProducerRecord<>(new Topics("dispatcher-it").jobEvents(), jobId.toString(), CloudEventRecords
					.event(JobEvent.cloudEventType(event.type()), "api-service", jobId.toString(), event)));
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.meters.find("batchline.dispatcher.events").tag("type", "job.succeeded").counter() != null
					&& this.meters.get("batchline.dispatcher.events")
						.tag("type", "job.succeeded")
						.counter()
						.count() == 1);
	}

}
