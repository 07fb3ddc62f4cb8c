package dev.batchline.worker.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.worker.WorkerApplication;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real workers against the real broker: each announces its models under a key of its
 * own and again every heartbeat, and one that stops gracefully withdraws its models with
 * tombstones while the other goes on announcing them.
 */
class ModelAnnouncerIntegrationTests {

	private static final Topics TOPICS = new Topics("announcer-it-" + UUID.randomUUID());

	private static final String KEY_A = ModelDeployed.key("iris", "1", "worker-a");

	private static final String KEY_B = ModelDeployed.key("iris", "1", "worker-b");

	@Test
	void aWorkerThatStopsWithdrawsItsModelsAndAnotherGoesOnAnnouncingThem() {
		ConfigurableApplicationContext a = worker("worker-a");
		try (ConfigurableApplicationContext b = worker("worker-b");
				KafkaConsumer<String, CloudEvent> consumer = consumer()) {
			List<ConsumerRecord<String, CloudEvent>> records = new ArrayList<>();
			// two heartbeats of each worker, the later ones announced later
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
				return announcements(records, KEY_A).size() >= 2 && announcements(records, KEY_B).size() >= 2;
			});
			List<ModelDeployed> fromA = announcements(records, KEY_A);
			assertThat(fromA.get(1).announcedAt()).isAfter(fromA.get(0).announcedAt());
			assertThat(fromA.get(0).deployedAt()).isEqualTo(fromA.get(1).deployedAt());
			assertThat(fromA.get(0).workerId()).isEqualTo("worker-a");
			assertThat(fromA.get(0).fingerprint()).matches("sha256:[0-9a-f]{64}")
				.isEqualTo(announcements(records, KEY_B).get(0).fingerprint());

			a.close();
			int tombstone = awaitTombstone(consumer, records, KEY_A);
			// B goes on: two more heartbeats after A's tombstone, and nothing more of A
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
				return announcements(records.subList(tombstone, records.size()), KEY_B).size() >= 2;
			});
			assertThat(records.subList(tombstone + 1, records.size())).extracting(ConsumerRecord::key)
				.doesNotContain(KEY_A);
			assertThat(records).filteredOn((record) -> record.value() == null)
				.extracting(ConsumerRecord::key)
				.containsExactly(KEY_A);
		}
		finally {
			a.close();
		}
	}

	private static int awaitTombstone(KafkaConsumer<String, CloudEvent> consumer,
			List<ConsumerRecord<String, CloudEvent>> records, String key) {
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			return records.stream().anyMatch((record) -> key.equals(record.key()) && record.value() == null);
		});
		for (int i = 0; i < records.size(); i++) {
			if (key.equals(records.get(i).key()) && records.get(i).value() == null) {
				return i;
			}
		}
		throw new AssertionError("no tombstone for " + key);
	}

	private static List<ModelDeployed> announcements(List<ConsumerRecord<String, CloudEvent>> records, String key) {
		return records.stream()
			.filter((record) -> key.equals(record.key()) && record.value() != null)
			.map((record) -> CloudEventRecords.data(record.value(), ModelDeployed.class))
			.toList();
	}

	private static ConfigurableApplicationContext worker(String id) {
		// arguments: they win over the worker's application.yaml
		return new SpringApplicationBuilder(WorkerApplication.class).web(WebApplicationType.NONE)
			.run("--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
					"--batchline.topics.prefix=" + TOPICS.prefix(), "--batchline.topics.partitions=1",
					"--batchline.worker.warmup=0s", "--batchline.worker.announce.interval=300ms",
					"--batchline.worker.announce.worker-id=" + id);
	}

	private static KafkaConsumer<String, CloudEvent> consumer() {
		KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
				Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id", "test-" + UUID.randomUUID(),
						"auto.offset.reset", "earliest", "isolation.level", "read_committed", "key.deserializer",
						StringDeserializer.class, "value.deserializer", CloudEventDeserializer.class));
		consumer.subscribe(List.of(TOPICS.models()));
		return consumer;
	}

}
