package dev.batchline.support;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.batchline.testsupport.TestKafka;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsAtStartTests {

	@Test
	void declaresTheTopicsOnTheRealBroker() throws Exception {
		String topic = "topics-at-start-" + UUID.randomUUID();
		KafkaAdmin admin = new KafkaAdmin(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
		admin.setApplicationContext(contextWith(TopicBuilder.name(topic).partitions(5).replicas(1).build()));
		TopicsAtStart topics = new TopicsAtStart(admin, 3, Duration.ofMillis(50), Duration.ofMillis(100));
		assertThat(topics.declare()).isTrue();
		try (AdminClient client = AdminClient.create(admin.getConfigurationProperties())) {
			assertThat(client.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(5);
		}
	}

	@Test
	void triesEveryAttemptWithPausesAndGivesUpWhenKafkaStaysUnreachable() throws Exception {
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		KafkaAdmin admin = new KafkaAdmin(Map.of("bootstrap.servers", "127.0.0.1:" + port, "request.timeout.ms", 500,
				"default.api.timeout.ms", 1000));
		admin.setOperationTimeout(1);
		admin.setCloseTimeout(1);
		admin.setApplicationContext(contextWith(TopicBuilder.name("never").partitions(1).replicas(1).build()));
		TopicsAtStart topics = new TopicsAtStart(admin, 3, Duration.ofMillis(200), Duration.ofMillis(400));
		long started = System.nanoTime();
		assertThat(topics.declare()).isFalse();
		long millis = (System.nanoTime() - started) / 1_000_000;
		// three calls of about a second each (the operation timeout), with 200 and 400 ms
		// between them: tried again, and bounded
		assertThat(millis).isBetween(2_500L, 30_000L);
	}

	/**
	 * What KafkaAdmin reads the declared topics from: a context holding them as beans.
	 */
	private static GenericApplicationContext contextWith(NewTopic topic) {
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean("topic", NewTopic.class, () -> topic);
		context.refresh();
		return context;
	}

}
