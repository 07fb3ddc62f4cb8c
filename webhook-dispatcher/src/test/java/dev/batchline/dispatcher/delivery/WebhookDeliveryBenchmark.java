package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.dispatcher.DispatcherApplication;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.awaitility.Awaitility.await;

/**
 * The webhook benchmark (not part of the test suite). In one run, against a fast receiver
 * on loopback: deliveries/s of a bare HTTP client loop (same client library and
 * concurrency, no signing, no database), then deliveries/s of the dispatcher for job
 * events put on Kafka, and the p50/p99 time from each event's terminal-state time to its
 * webhook arriving.
 *
 * <pre>
 * ./mvnw -pl webhook-dispatcher -am test -Dtest=WebhookDeliveryBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class WebhookDeliveryBenchmark {

	private static final Logger log = LoggerFactory.getLogger("batchline.benchmark");

	private static final int WARMUP = 300;

	private static final int EVENTS = Integer.getInteger("bench.events", 3000);

	private static final int CONCURRENCY = 16;

	private static final int PACED_EVENTS = 200;

	private static final long PACED_INTERVAL_MILLIS = 20;

	@Test
	void deliveriesPerSecondAndLatencyBesideABareHttpClientLoop() throws Exception {
		TestPostgres.Database database = TestPostgres.newDatabase();
		String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
		try (TestReceiver receiver = TestReceiver.start((n) -> TestReceiver.Answer.status(200));
				KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
						TestKafka.bootstrapServers(), "key.serializer", StringSerializer.class, "value.serializer",
						CloudEventSerializer.class, "linger.ms", 5));
				ConfigurableApplicationContext dispatcher = start(database, prefix)) {
			byte[] body = "{\"type\":\"job.succeeded\",\"data\":{}}".getBytes();
			bareLoop(receiver, body, WARMUP);
			double bare = bareLoop(receiver, body, EVENTS);

			JdbcTemplate jdbc = dispatcher.getBean(JdbcTemplate.class);
			UUID tenant = UUID.randomUUID();
			jdbc.update("insert into tenants (id, name, webhook_secret) values (?, 'bench', ?)", tenant,
					WebhookSecret.generate().value());
			jdbc.update(
					"insert into webhook_endpoints (id, tenant_id, url, event_types, secret, created_at,"
							+ " updated_at) values (?, ?, ?, array['job.succeeded'], ?, now(), now())",
					UUID.randomUUID(), tenant, receiver.url(), WebhookSecret.generate().value());

			int before = receiver.received().size();
			publish(producer, prefix, tenant, WARMUP);
			await().atMost(Duration.ofMinutes(2)).until(() -> receiver.received().size() >= before + WARMUP);

			int start = receiver.received().size();
			long t0 = System.nanoTime();
			publish(producer, prefix, tenant, EVENTS);
			await().atMost(Duration.ofMinutes(5))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> receiver.received().size() >= start + EVENTS);
			double seconds = (System.nanoTime() - t0) / 1e9;
			double dispatcherRate = EVENTS / seconds;

			List<Long> burst = latencies(receiver.received().subList(start, start + EVENTS));

			// latency at a steady rate well below capacity: what one job's owner sees
			int paced = start + EVENTS;
			for (int i = 0; i < PACED_EVENTS; i++) {
				publish(producer, prefix, tenant, 1);
				Thread.sleep(PACED_INTERVAL_MILLIS);
			}
			await().atMost(Duration.ofMinutes(1)).until(() -> receiver.received().size() >= paced + PACED_EVENTS);
			List<Long> steady = latencies(receiver.received().subList(paced, paced + PACED_EVENTS));
			log.info("""

					== Webhook delivery benchmark ({} events, {} cores) ==
					bare HTTP client loop ({} threads): {} deliveries/s
					dispatcher (Kafka -> Postgres -> signed POST): {} deliveries/s ({} of bare)
					terminal state -> webhook arrived, {} events one every {} ms: p50 {} ms, p99 {} ms
					terminal state -> webhook arrived, during the burst of {}: p50 {} ms, p99 {} ms
					""", EVENTS, Runtime.getRuntime().availableProcessors(), CONCURRENCY, Math.round(bare),
					Math.round(dispatcherRate), String.format("%.2f", dispatcherRate / bare), PACED_EVENTS,
					PACED_INTERVAL_MILLIS, percentile(steady, 0.5), percentile(steady, 0.99), EVENTS,
					percentile(burst, 0.5), percentile(burst, 0.99));
		}
	}

	private static List<Long> latencies(List<TestReceiver.Received> received) {
		List<Long> latencies = new ArrayList<>();
		for (TestReceiver.Received got : received) {
			WebhookPayload payload = EventCodec.decode(got.body(), WebhookPayload.class);
			latencies.add(Duration.between(payload.timestamp(), got.at()).toMillis());
		}
		latencies.sort(Long::compare);
		return latencies;
	}

	private static long percentile(List<Long> sorted, double p) {
		return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p)));
	}

	private static double bareLoop(TestReceiver receiver, byte[] body, int count) throws Exception {
		try (WebhookClient client = new WebhookClient(
				WebhookSettings.of("max-concurrency", String.valueOf(CONCURRENCY), "per-endpoint-concurrency",
						String.valueOf(CONCURRENCY), "allow-private-networks", "true", "user-agent", "bench"));
				ExecutorService threads = Executors.newFixedThreadPool(CONCURRENCY)) {
			long t0 = System.nanoTime();
			List<Future<?>> sent = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				sent.add(threads.submit(() -> client.post(receiver.url(), Map.of("webhook-id", "msg_bench"), body)));
			}
			for (Future<?> future : sent) {
				future.get();
			}
			return count / ((System.nanoTime() - t0) / 1e9);
		}
	}

	private static void publish(KafkaProducer<String, CloudEvent> producer, String prefix, UUID tenant, int count) {
		for (int i = 0; i < count; i++) {
			JobEvent event = Fixtures.aJobEvent(tenant).counts(1, 1, 0).build();
			producer.send(new ProducerRecord<>(prefix + ".job-events", event.jobId().toString(),
					CloudEventRecords.event(event.id().toString(), JobEvent.cloudEventType(event.type()), "api-service",
							event.jobId().toString(), event.occurredAt(), event)));
		}
		producer.flush();
	}

	private static ConfigurableApplicationContext start(TestPostgres.Database database, String prefix) {
		return new SpringApplicationBuilder(DispatcherApplication.class).run(
				"--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.username(),
				"--spring.datasource.password=" + database.password(), "--spring.flyway.enabled=true",
				"--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
				"--batchline.topics.prefix=" + prefix, "--server.port=0",
				"--batchline.webhooks.allow-private-networks=true", "--logging.level.dev.batchline=WARN");
	}

}
