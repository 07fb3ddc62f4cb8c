package dev.batchline.support;

import java.util.Map;

import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Gives Kafka's lz4 compression lz4-java's native library in every service (see
 * {@link KafkaLz4}); ordered before Kafka's auto-configuration, so that it runs before
 * any producer or consumer exists. {@code GET /actuator/info} shows the implementation
 * under {@code kafka.lz4}.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
public class KafkaCompressionAutoConfiguration {

	@Bean
	InfoContributor kafkaLz4Info() {
		String implementation = KafkaLz4.loadNative();
		return (info) -> info.withDetail("kafka", Map.of("lz4", implementation));
	}

}
