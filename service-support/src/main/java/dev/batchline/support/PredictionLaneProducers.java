package dev.batchline.support;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * The producers of the synchronous prediction lane (the api-service's requests, the
 * workers' answers), tuned for latency rather than throughput: records are sent at once
 * (no linger, no compression) with the leader's acknowledgement only (a lost record is a
 * timeout the client may retry), and records of one moment fill one partition's batch,
 * whatever their keys (fewer, larger produce requests under load). Not transactional.
 */
public final class PredictionLaneProducers {

	private PredictionLaneProducers() {
	}

	/**
	 * A producer factory of the lane; the caller destroys it.
	 * @param properties the service's Kafka settings (bootstrap servers, serializers)
	 * @param clientId the producers' client id
	 * @return the factory
	 */
	public static <V> DefaultKafkaProducerFactory<String, V> factory(KafkaProperties properties, String clientId) {
		Map<String, Object> config = properties.buildProducerProperties();
		config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
		config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
		config.put(ProducerConfig.ACKS_CONFIG, "1");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
		config.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
		return new DefaultKafkaProducerFactory<>(config);
	}

}
