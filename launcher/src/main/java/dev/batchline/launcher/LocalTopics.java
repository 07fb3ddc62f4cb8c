package dev.batchline.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the installation's topics ({@link Topics#declarations}) on the local or named
 * Kafka with as many partitions as the services are told to declare
 * ({@code BATCHLINE_TOPICS_PARTITIONS}), so that up to that many workers share the work.
 * A service that starts first may create some of them: those are left as they are.
 */
final class LocalTopics {

	private LocalTopics() {
	}

	/**
	 * Creates the topics that do not exist yet; existing ones are left as they are.
	 * @param bootstrap the Kafka bootstrap servers
	 * @param prefix the topic name prefix
	 * @param partitions the partitions of the work topics
	 */
	static void create(String bootstrap, String prefix, int partitions) {
		Topics topics = new Topics(prefix);
		try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", bootstrap))) {
			Set<String> existing = admin.listTopics().names().get();
			List<NewTopic> missing = topics.declarations(partitions)
				.stream()
				.filter((topic) -> !existing.contains(topic.name()))
				.map((topic) -> new NewTopic(topic.name(), topic.partitions(), (short) 1).configs(topic.configs()))
				.toList();
			List<String> created = new ArrayList<>();
			for (Map.Entry<String, KafkaFuture<Void>> topic : admin.createTopics(missing).values().entrySet()) {
				try {
					topic.getValue().get();
					created.add(topic.getKey());
				}
				catch (ExecutionException ex) {
					if (!(ex.getCause() instanceof TopicExistsException)) {
						throw new IllegalStateException(
								"Could not create the Kafka topic " + topic.getKey() + ": " + ex.getCause(), ex);
					}
				}
			}
			if (!created.isEmpty()) {
				Console.step("Created topics " + created + " with " + partitions + " partitions");
			}
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not list the Kafka topics: " + ex.getCause(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
