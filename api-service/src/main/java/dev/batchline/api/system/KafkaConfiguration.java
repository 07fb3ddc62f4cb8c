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

	/**
	 * The model catalog reads the whole compacted models topic from the start and commits
	 * nothing: every replica keeps its own full copy.
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
		return factory;
	}

}
