package dev.batchline.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkKey;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestInfrastructure;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two consumer threads sharing one inference thread (real Kafka, real DJL): every chunk
 * of both threads' partitions is answered once, in its consumer's transaction, with the
 * model's outputs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "batchline.topics.partitions=4", "batchline.worker.max-batch-size=16",
				"batchline.worker.concurrency=2", "batchline.worker.inference-threads=1",
				"batchline.worker.group-id=shared-inference-it" })
class SharedInferenceIntegrationTests {

	private static final Topics TOPICS = new Topics("shared-inference-it-" + UUID.randomUUID());

	/** Iris rows of each kind (setosa, versicolor, virginica). */
	private static final List<String> ROWS = Fixtures.IRIS_ROWS.subList(0, 3);

	/** The class the model gives each of {@link #ROWS}. */
	private static final long[] CLASSES = { 0, 1, 2 };

	@Autowired
	private KafkaListenerEndpointRegistry listeners;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		TestInfrastructure.kafka(registry);
		registry.add("batchline.topics.prefix", TOPICS::prefix);
	}

	@Test
	void answersEveryChunkOfBothConsumerThreadsOnce() {
		// both consumer threads have partitions before anything is sent
		await().until(() -> this.listeners.getListenerContainer("chunk-worker")
			.getAssignmentsByClientId()
			.values()
			.stream()
			.filter((assigned) -> !assigned.isEmpty())
			.count() == 2);
		UUID job = UUID.randomUUID();
		int chunks = 40;
		try (KafkaProducer<String, CloudEvent> producer = WorkerIntegrationTests.producer();
				KafkaConsumer<String, CloudEvent> results = WorkerIntegrationTests.consumer(TOPICS.results())) {
			for (int c = 0; c < chunks; c++) {
				// three rows a chunk, starting at a different row each time
				List<String> items = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					items.add(ROWS.get((c + i) % 3));
				}
				ChunkSubmitted chunk = WorkerIntegrationTests.chunk(job, c, 3L * c, items.toArray(String[]::new));
				// a key per chunk spreads them over every partition
				producer.send(new ProducerRecord<>(TOPICS.chunks(), new ChunkKey(job, c).toString(),
						CloudEventRecords.event(ChunkSubmitted.TYPE, "api-service", job.toString(), chunk)));
			}
			producer.flush();
			List<ChunkCompleted> completed = WorkerIntegrationTests.poll(results, ChunkCompleted.class, job, chunks);
			completed.sort(Comparator.comparingInt(ChunkCompleted::chunk));
			assertThat(completed).extracting(ChunkCompleted::chunk)
				.containsExactlyElementsOf(IntStream.range(0, chunks).boxed().toList());
			for (ChunkCompleted chunk : completed) {
				int c = chunk.chunk();
				assertThat(chunk.items().toList()).extracting((item) -> item.index())
					.containsExactly(3L * c, 3L * c + 1, 3L * c + 2);
				assertThat(chunk.items().toList()).extracting((item) -> item.output().get("class_id").asLong())
					.containsExactly(CLASSES[c % 3], CLASSES[(c + 1) % 3], CLASSES[(c + 2) % 3]);
			}
		}
		assertThat(this.meters.get("batchline.worker.predict").tag("model", "iris").timer().count()).isPositive();
		// two consumer threads, one inference thread (other test contexts in this JVM
		// have theirs, also one each)
		assertThat(Thread.getAllStackTraces().keySet())
			.filteredOn((thread) -> thread.getName().startsWith("inference-"))
			.extracting(Thread::getName)
			.isNotEmpty()
			.containsOnly("inference-0");
	}

}
