package dev.batchline.worker.system;

import dev.batchline.contracts.Topics;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The topics the worker reads and writes, created at start when missing (the same
 * declarations as the api-service's, so either may start first).
 */
@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

	@Bean
	Topics topics(@Value("${batchline.topics.prefix:batchline}") String prefix) {
		return new Topics(prefix);
	}

	@Bean
	KafkaAdmin.NewTopics batchlineTopics(Topics topics, @Value("${batchline.topics.partitions:6}") int partitions,
			@Value("${batchline.topics.replicas:1}") short replicas) {
		return new KafkaAdmin.NewTopics(topic(topics.chunks(), partitions, replicas),
				topic(topics.results(), partitions, replicas), topic(topics.chunksDeadLetter(), partitions, replicas),
				TopicBuilder.name(topics.models()).partitions(1).replicas(replicas).compact().build());
	}

	private static NewTopic topic(String name, int partitions, short replicas) {
		return TopicBuilder.name(name).partitions(partitions).replicas(replicas).build();
	}

}
