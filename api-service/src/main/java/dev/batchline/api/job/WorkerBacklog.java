package dev.batchline.api.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * How many records a consumer group has not consumed yet. The watchdog re-drives a chunk
 * only when the workers have no backlog on the chunks topic and the recorders none on the
 * results topic, so a chunk that is merely queued is never taken for lost.
 */
@Component
class WorkerBacklog implements DisposableBean {

	private static final int TIMEOUT_MILLIS = 5000;

	private final AdminClient admin;

	WorkerBacklog(KafkaAdmin kafkaAdmin) {
		Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
		config.put("request.timeout.ms", TIMEOUT_MILLIS);
		config.put("default.api.timeout.ms", TIMEOUT_MILLIS);
		this.admin = AdminClient.create(config);
	}

	/**
	 * A consumer group's lag on a topic (a group that never committed has consumed
	 * nothing), or empty when it cannot be told (Kafka away).
	 * @param group the consumer group
	 * @param topic the topic
	 * @return records not consumed yet
	 */
	OptionalLong lag(String group, String topic) {
		try {
			TopicDescription description = this.admin.describeTopics(List.of(topic))
				.allTopicNames()
				.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
				.get(topic);
			Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
			description.partitions()
				.forEach((p) -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
			var ends = this.admin.listOffsets(latest).all().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
			Map<TopicPartition, OffsetAndMetadata> committed = this.admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
			long lag = 0;
			for (var end : ends.entrySet()) {
				OffsetAndMetadata position = committed.get(end.getKey());
				long consumed = (position != null) ? position.offset() : 0;
				lag += Math.max(0, end.getValue().offset() - consumed);
			}
			return OptionalLong.of(lag);
		}
		catch (ExecutionException | TimeoutException ex) {
			return OptionalLong.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return OptionalLong.empty();
		}
	}

	@Override
	public void destroy() {
		this.admin.close();
	}

}
