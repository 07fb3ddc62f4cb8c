package dev.batchline.support;

import java.time.Duration;
import java.util.Map;

import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What every Batchline service shares about Kafka: the {@link Topics} (prefix
 * {@code batchline.topics.prefix}), their declaration (created at start when missing,
 * with {@code batchline.topics.partitions} partitions and
 * {@code batchline.topics.replicas} replicas; the models and control topics compacted
 * with one partition), so any service may start first, and a {@code kafka} health
 * indicator for readiness, and under {@code kafka.lz4} of {@code GET /actuator/info}
 * which lz4 code Kafka's compression runs ({@link KafkaLz4} loads the native library as
 * the service starts, before any Kafka client exists).
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
public class BatchlineTopicsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Topics topics(@Value("${batchline.topics.prefix:batchline}") String prefix) {
		return new Topics(prefix);
	}

	@Bean
	KafkaAdmin.NewTopics batchlineTopics(Topics topics, @Value("${batchline.topics.partitions:6}") int partitions,
			@Value("${batchline.topics.replicas:1}") short replicas) {
		return new KafkaAdmin.NewTopics(topics.declarations(partitions)
			.stream()
			.map((topic) -> TopicBuilder.name(topic.name())
				.partitions(topic.partitions())
				.replicas(replicas)
				.configs(topic.configs())
				.build())
			.toArray(NewTopic[]::new));
	}

	@Bean(name = "kafka")
	@ConditionalOnBean(KafkaAdmin.class)
	@ConditionalOnMissingBean(KafkaHealthIndicator.class)
	KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin) {
		return new KafkaHealthIndicator(admin);
	}

	@Bean
	InfoContributor kafkaLz4Info() {
		return (info) -> info.withDetail("kafka", Map.of("lz4", KafkaLz4.implementation()));
	}

	/**
	 * The error handler of Boot's listener factory in every service: a poll whose
	 * processing fails (PostgreSQL away, a Kafka transaction that cannot commit) is tried
	 * again with a growing pause, up to 10 s, until it succeeds; it is never skipped, so
	 * no record is lost. Records that can never be processed (undecodable) are dealt with
	 * by the listeners themselves.
	 */
	@Bean
	@ConditionalOnMissingBean
	CommonErrorHandler batchlineListenerErrorHandler() {
		ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
		backOff.setMaxInterval(10_000);
		return new DefaultErrorHandler(backOff);
	}

	/**
	 * Every listener of Boot's factory commits its offsets past a transaction's commit
	 * marker: the workers write results (and models) in Kafka transactions, and without
	 * this a group that has consumed everything keeps a lag of one per partition, which
	 * the watchdog, the consumer-lag read and an autoscaler would take for a backlog.
	 */
	@Bean
	ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> batchlineFixTxOffsets() {
		return (container) -> container.getContainerProperties().setFixTxOffsets(true);
	}

	/**
	 * Declares the topics again, in the background and with spring-retry, when Kafka was
	 * unreachable as the service started.
	 */
	@Bean
	@ConditionalOnBean(KafkaAdmin.class)
	TopicsAtStart batchlineTopicsAtStart(KafkaAdmin admin) {
		return new TopicsAtStart(admin, 8, Duration.ofSeconds(1), Duration.ofSeconds(30));
	}

}
