package dev.batchline.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import static org.awaitility.Awaitility.await;

/**
 * Reads what a service under test wrote to a topic of the test broker, from the start of
 * the topic, in a consumer group of its own: how a test asserts the records a service
 * sends to another service that is not running.
 */
public final class TopicRecords {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private TopicRecords() {
	}

	/**
	 * The data of the first record with the given key and CloudEvents type, waiting for
	 * it up to 20 s.
	 * @param topic the topic
	 * @param key the record key
	 * @param type the CloudEvents type
	 * @param data the record class of the JSON data
	 * @param <T> the record type
	 * @return the decoded data
	 */
	public static <T> T first(String topic, String key, String type, Class<T> data) {
		List<ConsumerRecord<String, CloudEvent>> read = readUntil(topic, key, type);
		return CloudEventRecords.data(read.get(read.size() - 1).value(), data);
	}

	/**
	 * Every record from the start of the topic up to the first with the given key and
	 * CloudEvents type (that one last), waiting for it up to 20 s. On a topic of one
	 * partition, records before it were written before it.
	 * @param topic the topic
	 * @param key the record key
	 * @param type the CloudEvents type
	 * @return the records read
	 */
	public static List<ConsumerRecord<String, CloudEvent>> readUntil(String topic, String key, String type) {
		try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id",
						"test-reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "key.deserializer",
						StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class))) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, CloudEvent>> read = new ArrayList<>();
			await().atMost(TIMEOUT).until(() -> {
				for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
					read.add(record);
					if (key.equals(record.key()) && record.value() != null && type.equals(record.value().getType())) {
						return true;
					}
				}
				return false;
			});
			return read;
		}
	}

}
