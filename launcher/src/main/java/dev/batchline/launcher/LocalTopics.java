package dev.batchline.launcher;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the installation's topics ({@link Topics#declarations}) on the local or named
 * Kafka before any service starts, with more partitions than a service would declare, so
 * that up to that many workers share the work.
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
			if (!missing.isEmpty()) {
				admin.createTopics(missing).all().get();
				Console.step("Created topics " + missing.stream().map(NewTopic::name).toList() + " with " + partitions
						+ " partitions");
			}
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not create the Kafka topics: " + ex.getCause(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
