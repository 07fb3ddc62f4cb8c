package dev.batchline.api;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.testsupport.TestKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison results: a result record the recorder cannot record, crafted onto the real
 * results topic, goes to the results' dead letter topic with its reason, its chunk's
 * items fail with {@code result_invalid}, its job still finishes, and the partition (one
 * here) goes on; while PostgreSQL is away, a good result is neither dead-lettered nor
 * lost.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=poison-it",
				"batchline.topics.partitions=1", "batchline.api.recorder.poison-backoff=20ms",
				"spring.datasource.hikari.connection-timeout=2000" })
class PoisonResultIntegrationTests extends ApiIntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@Autowired
	MeterRegistry meters;

	@Value("${spring.datasource.url}")
	String url;

	@Value("${spring.datasource.username}")
	String username;

	@Value("${spring.datasource.password}")
	String password;

	private KafkaProducer<String, CloudEvent> raw;

	private KafkaConsumer<String, byte[]> deadLetters;

	private final List<ConsumerRecord<String, byte[]>> deadLettered = new ArrayList<>();

	PoisonResultIntegrationTests() {
		super("poison-it", null);
	}

	@BeforeAll
	void clients() {
		this.raw = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", CloudEventSerializer.class));
		this.deadLetters = new KafkaConsumer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(), "group.id",
				"test-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "key.deserializer",
				StringDeserializer.class, "value.deserializer", ByteArrayDeserializer.class));
		this.deadLetters.subscribe(List.of(this.topics.resultsDeadLetter()));
	}

	@AfterAll
	void closeClients() throws SQLException {
		allowConnections(true);
		this.raw.close();
		this.deadLetters.close();
	}

	@Test
	void aResultThePostgresRefusesIsDeadLetteredItsItemsFailAndTheResultsBesideAndAfterItAreRecorded() {
		// the worker side reads each job's chunk before the next job is submitted
		String poisoned = submit(3);
		ChunkCompleted nul = WorkerSide.echo(chunkOf(poisoned), -1);
		String beside = submit(2);
		ChunkCompleted good = WorkerSide.echo(chunkOf(beside), -1);
		String after = submit(2);
		ChunkCompleted later = WorkerSide.echo(chunkOf(after), -1);
		// text with a NUL character: PostgreSQL refuses it (SQLSTATE 22021) every time
		ChunkCompleted poison = new ChunkCompleted(nul.jobId(), nul.chunk(), nul.firstIndex(), nul.model(),
				nul.version(), "worker\u0000one", nul.items());
		this.workers.publishResults(List.of(poison, good));

		ConsumerRecord<String, byte[]> letter = deadLetterOf(poisoned);
		assertThat(header(letter, RecordHeaders.REASON)).isEqualTo(DeadLetterReasons.UNSTORABLE);
		assertThat(header(letter, RecordHeaders.ERROR)).contains("0x00");
		assertThat(header(letter, RecordHeaders.ORIGIN)).startsWith(this.topics.results() + "-0@");
		assertThat(header(letter, "ce_type")).isEqualTo(ChunkCompleted.TYPE);
		assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("worker\\u0000one");

		assertFinished(poisoned, "FAILED");
		JsonNode errors = this.api.get("/v1/jobs/" + poisoned + "/errors").json();
		assertThat(errors.get("failed").asLong()).isEqualTo(3);
		assertThat(errors.get("data").get(0).get("error").get("code").asString()).isEqualTo(ItemError.RESULT_INVALID);
		assertThat(errors.get("data").get(0).get("error").get("message").asString()).contains("unstorable")
			.contains(this.topics.resultsDeadLetter());
		assertFinished(beside, "SUCCEEDED");

		this.workers.publishResult(later);
		assertFinished(after, "SUCCEEDED");
		assertThat(deadLettered(DeadLetterReasons.UNSTORABLE)).isEqualTo(1);
	}

	@Test
	void aResultThatCannotBeDecodedIsDeadLetteredAndTheChunkItNamesFails() {
		String id = submit(2);
		ChunkSubmitted chunk = chunkOf(id);
		// valid JSON, but its items have no index: stored, they could never be read back
		String json = "{\"job_id\":\"" + id + "\",\"chunk\":0,\"first_index\":0,\"model\":\"iris\",\"version\":\"1\","
				+ "\"items\":[{\"output\":{\"echo\":0}},{\"output\":{\"echo\":1}}]}";
		this.raw.send(new ProducerRecord<>(this.topics.results(), id, CloudEventRecords.eventWithJson(id + ":0",
				ChunkCompleted.TYPE, "worker-service", id, Instant.now(), json.getBytes(StandardCharsets.UTF_8))));
		this.raw.flush();

		ConsumerRecord<String, byte[]> letter = deadLetterOf(id);
		assertThat(header(letter, RecordHeaders.REASON)).isEqualTo(DeadLetterReasons.UNDECODABLE);
		assertThat(header(letter, RecordHeaders.ERROR)).contains("integer 'index'");
		assertThat(letter.value()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
		assertFinished(id, "FAILED");
		JsonNode errors = this.api.get("/v1/jobs/" + id + "/errors").json();
		assertThat(errors.get("data")).hasSize(chunk.instances().size());
		assertThat(errors.get("data").get(1).get("error").get("code").asString()).isEqualTo(ItemError.RESULT_INVALID);
	}

	@Test
	void aResultOfAnUnknownJobIsDeadLettered() {
		String id = submit(1);
		ChunkCompleted real = WorkerSide.echo(chunkOf(id), -1);
		UUID unknown = UUID.randomUUID();
		ChunkCompleted stranger = new ChunkCompleted(unknown, 0, 0, "iris", "1", "test", real.items());
		ChunkCompleted outOfRange = new ChunkCompleted(real.jobId(), 7, 0, "iris", "1", "test", real.items());
		this.workers.publishResults(List.of(stranger, outOfRange, real));

		assertThat(header(deadLetterOf(unknown.toString()), RecordHeaders.REASON))
			.isEqualTo(DeadLetterReasons.UNKNOWN_JOB);
		assertThat(header(deadLetterOf(id), RecordHeaders.REASON)).isEqualTo(DeadLetterReasons.UNKNOWN_CHUNK);
		assertFinished(id, "SUCCEEDED");
	}

	@Test
	void aChunkAWorkerDeadLetteredForResultsTooLargeFailsItsItemsWithResultTooLarge() {
		String id = submit(2);
		this.workers.publishDeadLetter(chunkOf(id), DeadLetterReasons.RESULT_TOO_LARGE,
				"the chunk's results are 2000000 bytes of JSON, more than the 1047552 a result record may carry");
		assertFinished(id, "FAILED");
		JsonNode error = this.api.get("/v1/jobs/" + id + "/errors").json().get("data").get(0).get("error");
		assertThat(error.get("code").asString()).isEqualTo(ItemError.RESULT_TOO_LARGE);
		assertThat(error.get("message").asString()).startsWith("the chunk's results are 2000000 bytes");
		assertThat(this.meters.counter("batchline.chunks.dead_lettered", "reason", DeadLetterReasons.RESULT_TOO_LARGE)
			.count()).isEqualTo(1);
	}

	@Test
	void aGoodResultWhilePostgresIsAwayIsRecordedOnceItIsBackAndNotDeadLettered() throws SQLException {
		String id = submit(2);
		ChunkCompleted result = WorkerSide.echo(chunkOf(id), -1);
		double deadLetteredBefore = deadLettered(DeadLetterReasons.UNSTORABLE);
		double failedPollsBefore = failedPolls();
		allowConnections(false);
		try {
			this.workers.publishResult(result);
			// the recorder tries the poll and fails
			await().atMost(TIMEOUT).until(() -> failedPolls() > failedPollsBefore);
		}
		finally {
			allowConnections(true);
		}
		assertFinished(id, "SUCCEEDED");
		assertThat(deadLettered(DeadLetterReasons.UNSTORABLE)).isEqualTo(deadLetteredBefore);
		assertThat(this.deadLettered).noneMatch((letter) -> id.equals(letter.key()));
	}

	private String submit(int items) {
		return this.api.post("/v1/jobs", WorkerSide.jobJson(items, null)).json().get("id").asString();
	}

	private ChunkSubmitted chunkOf(String id) {
		return this.workers.chunksOf(UUID.fromString(id), 1).get(0);
	}

	private void assertFinished(String id, String state) {
		await().atMost(TIMEOUT)
			.untilAsserted(
					() -> assertThat(this.api.get("/v1/jobs/" + id).json().get("state").asString()).isEqualTo(state));
	}

	/** The dead letter with the given key, read so far or waited for. */
	private ConsumerRecord<String, byte[]> deadLetterOf(String key) {
		await().atMost(TIMEOUT).until(() -> {
			this.deadLetters.poll(Duration.ofMillis(200)).forEach(this.deadLettered::add);
			return this.deadLettered.stream().anyMatch((letter) -> key.equals(letter.key()));
		});
		return this.deadLettered.stream().filter((letter) -> key.equals(letter.key())).findFirst().orElseThrow();
	}

	private double deadLettered(String reason) {
		return this.meters.counter("batchline.results.dead_lettered", "reason", reason).count();
	}

	/** Polls of the results recorder that failed (Spring Kafka's listener timer). */
	private double failedPolls() {
		return this.meters.find("spring.kafka.listener")
			.tag("result", "failure")
			.timers()
			.stream()
			.filter((timer) -> timer.getId().getTag("name").startsWith("results-recorder"))
			.mapToLong(Timer::count)
			.sum();
	}

	private static String header(ConsumerRecord<String, byte[]> record, String name) {
		return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
	}

	/**
	 * Lets the API's database take connections, or refuses them and cuts the open ones
	 * (as a PostgreSQL that went away looks to the pool).
	 */
	private void allowConnections(boolean allow) throws SQLException {
		String database = this.url.substring(this.url.lastIndexOf('/') + 1);
		String server = this.url.substring(0, this.url.lastIndexOf('/') + 1) + "postgres";
		try (Connection connection = DriverManager.getConnection(server, this.username, this.password);
				Statement statement = connection.createStatement()) {
			statement.execute("alter database " + database + " allow_connections " + allow);
			if (!allow) {
				statement.execute(
						"select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
			}
		}
	}

}
