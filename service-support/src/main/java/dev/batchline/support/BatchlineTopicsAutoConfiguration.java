package dev.batchline.support;

import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * What every Batchline service shares about Kafka: the {@link Topics} (prefix
 * {@code batchline.topics.prefix}), their declaration (created at start when missing,
 * with {@code batchline.topics.partitions} partitions and
 * {@code batchline.topics.replicas} replicas; the models topic compacted with one
 * partition), so any service may start first, and a {@code kafka} health indicator for
 * readiness.
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
		return new KafkaAdmin.NewTopics(topic(topics.chunks(), partitions, replicas),
				topic(topics.results(), partitions, replicas), topic(topics.jobEvents(), partitions, replicas),
				topic(topics.chunksDeadLetter(), partitions, replicas),
				TopicBuilder.name(topics.models()).partitions(1).replicas(replicas).compact().build());
	}

	@Bean(name = "kafka")
	@ConditionalOnBean(KafkaAdmin.class)
	@ConditionalOnMissingBean(KafkaHealthIndicator.class)
	KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin) {
		return new KafkaHealthIndicator(admin);
	}

	private static NewTopic topic(String name, int partitions, short replicas) {
		return TopicBuilder.name(name).partitions(partitions).replicas(replicas).build();
	}

}
