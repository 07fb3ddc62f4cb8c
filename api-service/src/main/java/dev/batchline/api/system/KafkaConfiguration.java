package dev.batchline.api.system;

import java.util.Map;

import io.cloudevents.CloudEvent;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * Kafka listener factories beyond Boot's default one (which the results recorder uses).
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

	/** A third of the catalog's contact timeout (15 s). */
	private static final long CATALOG_IDLE_EVENT_MILLIS = 5000;

	/**
	 * The model catalog reads the whole compacted models topic from the start and commits
	 * nothing: every replica keeps its own full copy. When the topic has been quiet for 5
	 * s the catalog asks the broker whether it is there (an idle event), so that it knows
	 * a crashed worker's silence from its own lost contact with Kafka.
	 */
	@Bean
	ConcurrentKafkaListenerContainerFactory<String, CloudEvent> catalogListenerFactory(KafkaProperties properties) {
		Map<String, Object> config = properties.buildConsumerProperties();
		config.put("enable.auto.commit", false);
		config.put("auto.offset.reset", "earliest");
		ConcurrentKafkaListenerContainerFactory<String, CloudEvent> factory = new ConcurrentKafkaListenerContainerFactory<>();
		factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
		factory.getContainerProperties()
			.setAckMode(org.springframework.kafka.listener.ContainerProperties.AckMode.MANUAL);
		factory.getContainerProperties().setIdleEventInterval(CATALOG_IDLE_EVENT_MILLIS);
		return factory;
	}

}
