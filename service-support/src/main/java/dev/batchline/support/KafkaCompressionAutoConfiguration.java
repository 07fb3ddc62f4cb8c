package dev.batchline.support;

import java.util.Map;

import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@code GET /actuator/info} shows under {@code kafka.lz4} which lz4 code Kafka's
 * compression runs in this service ({@link KafkaLz4} loads the native library as the
 * service starts, before any Kafka client exists).
 */
@AutoConfiguration
public class KafkaCompressionAutoConfiguration {

	@Bean
	InfoContributor kafkaLz4Info() {
		return (info) -> info.withDetail("kafka", Map.of("lz4", KafkaLz4.implementation()));
	}

}
