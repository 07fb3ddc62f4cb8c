package dev.batchline.api.job;

import java.util.List;
import java.util.OptionalLong;

import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.Topics;

import org.springframework.stereotype.Component;

/**
 * The lag of every consumer group of the pipeline on the topic it reads, for operators:
 * what the workers, the recorders and the dispatcher still have to consume.
 */
@Component
public class ConsumerLag {

	private final WorkerBacklog backlog;

	private final Topics topics;

	private final JobLifecycleProperties properties;

	ConsumerLag(WorkerBacklog backlog, Topics topics, JobLifecycleProperties properties) {
		this.backlog = backlog;
		this.topics = topics;
		this.properties = properties;
	}

	/**
	 * One consumer group's lag on one topic.
	 *
	 * @param group the consumer group
	 * @param topic the topic
	 * @param lag the records not consumed yet, or null when Kafka did not answer
	 */
	public record Lag(String group, String topic, Long lag) {
	}

	/** The lag of each of the pipeline's consumer groups, in the flow's order. */
	public List<Lag> all() {
		return List.of(lag(this.properties.workerGroup(), this.topics.chunks()),
				lag(ConsumerGroups.RECORDERS, this.topics.results()),
				lag(ConsumerGroups.DEAD_LETTER_RECORDERS, this.topics.chunksDeadLetter()),
				lag(ConsumerGroups.WEBHOOK_DISPATCHERS, this.topics.jobEvents()),
				lag(ConsumerGroups.WEBHOOK_REPLAYERS, this.topics.webhookCommands()),
				lag(ConsumerGroups.WEBHOOK_ENDPOINT_MANAGERS, this.topics.webhookEvents()));
	}

	private Lag lag(String group, String topic) {
		OptionalLong lag = this.backlog.lag(group, topic);
		return new Lag(group, topic, lag.isPresent() ? lag.getAsLong() : null);
	}

}
