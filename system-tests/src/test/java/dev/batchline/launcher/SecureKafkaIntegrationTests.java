package dev.batchline.launcher;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The pipeline on a secured broker ({@code ./batchline up --secure}): every service
 * authenticates with SASL/SCRAM as its own principal, and the ACLs are enough for the
 * whole flow (a job is predicted, recorded and its signed callback delivered), while a
 * principal that writes outside its part is refused by the real broker: the worker cannot
 * write job events (which the dispatcher would sign and send), the dispatcher cannot
 * write results, and a client without a password gets nowhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureKafkaIntegrationTests {

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", ".."));

	private LocalPipeline pipeline;

	private PipelineHttp api;

	private DeduplicatingWebhookReceiver receiver;

	@BeforeAll
	void up() throws Exception {
		Path work = ROOT.resolve("system-tests/target/secure-kafka-work");
		Folders.deleteTree(work);
		this.pipeline = LocalPipeline.up(new PipelineOptions(ROOT, work, 1, ServiceProcess.freePort(),
				ServiceProcess.freePort(), ServiceProcess.freePort(), Map.of(), java.util.List.of(), true));
		this.api = new PipelineHttp(this.pipeline);
		WebhookSecret secret = WebhookSecret.parse(this.api.get("/v1/callback-secret").get("secret").asString());
		this.receiver = DeduplicatingWebhookReceiver.start(new WebhookVerifier(secret));
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.until(() -> this.api.get("/v1/models").toString().contains("iris"));
	}

	@AfterAll
	void down() throws Exception {
		if (this.receiver != null) {
			this.receiver.close();
		}
		if (this.pipeline != null) {
			this.pipeline.close();
		}
	}

	@Test
	void eachServiceDoesItsPartAsItsOwnPrincipal() throws Exception {
		String body = "{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2],[6.3,3.3,6.0,2.5]],\"callback\":{\"url\":\""
				+ this.receiver.url() + "\"}}";
		HttpResponse<byte[]> submitted = this.api.send(this.api.request("/v1/jobs")
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(submitted.statusCode()).as(new String(submitted.body())).isEqualTo(202);
		String job = EventCodec.tree(submitted.body()).get("id").asString();
		// the api-service wrote the chunk, the worker read it and wrote results, the
		// api-service recorded them and wrote the job event, the dispatcher read it
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.get("/v1/jobs/" + job).get("state").asString().equals("SUCCEEDED"));
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.receiver.messagesFor(job).isEmpty());
		assertThat(this.receiver.refusedSignatures()).isZero();
		assertThat(this.api.get("/v1/jobs/" + job + "/results").get("data")).hasSize(2);
	}

	@Test
	void aPrincipalThatWritesOutsideItsPartIsRefusedByTheBroker() {
		Topics topics = Topics.defaults();
		KafkaSecurity security = this.pipeline.kafkaSecurity();
		// (what each may write, it wrote in the other test: the pipeline ran on these
		// ACLs)
		// the worker may write results, not job events (the dispatcher signs what they
		// say)
		try (KafkaProducer<String, String> worker = producer(security.clientConfig(KafkaSecurity.Principal.WORKER))) {
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> send(worker, topics.jobEvents()))
				.withCauseInstanceOf(TopicAuthorizationException.class);
		}
		// the dispatcher may write endpoint events, not results
		try (KafkaProducer<String, String> dispatcher = producer(
				security.clientConfig(KafkaSecurity.Principal.DISPATCHER))) {
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> send(dispatcher, topics.results()))
				.withCauseInstanceOf(TopicAuthorizationException.class);
		}
		// a wrong password is not let in at all
		Map<String, Object> wrong = new HashMap<>(security.clientConfig(KafkaSecurity.Principal.API));
		wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
				+ " username=\"batchline-api\" password=\"not-the-password\";");
		try (KafkaProducer<String, String> stranger = producer(wrong)) {
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> send(stranger, topics.chunks()))
				.satisfies((ex) -> assertThat(ex).hasRootCauseInstanceOf(SaslAuthenticationException.class));
		}
	}

	private KafkaProducer<String, String> producer(Map<String, Object> security) {
		Map<String, Object> config = new HashMap<>(security);
		config.putAll(Map.of("bootstrap.servers", this.pipeline.bootstrapServers(), "key.serializer",
				StringSerializer.class, "value.serializer", StringSerializer.class, "max.block.ms", 10_000,
				"delivery.timeout.ms", 15_000, "request.timeout.ms", 10_000));
		return new KafkaProducer<>(config);
	}

	private static void send(KafkaProducer<String, String> producer, String topic) throws Exception {
		producer.send(new ProducerRecord<>(topic, "probe", "{}")).get();
	}

}
