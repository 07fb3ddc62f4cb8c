package dev.batchline.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.launcher.Console;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 8: webhook delivery, against a receiver on loopback that answers at once and
 * verifies every signature. Each round:
 * <ul>
 * <li>the limit: a bare HTTP client loop (the dispatcher's client library, as many
 * threads as the dispatcher's per-endpoint concurrency, no signing, no database) POSTs
 * the burst's number of webhooks;</li>
 * <li>a burst: that many terminal job events of one tenant go onto the job-events topic
 * at once; the dispatcher's deliveries/s to the tenant's endpoint (first event sent to
 * last webhook in) and each webhook's time from its event's terminal-state time;</li>
 * <li>a fan-out: one terminal event of a tenant with 1,000 endpoints; the time until all
 * 1,000 webhooks are in;</li>
 * <li>a steady trickle, one event every 20 ms: what one job's owner sees.</li>
 * </ul>
 * The cores each process used during the bare loop and during the burst are reported too:
 * the bare loop needs only this JVM, the burst also Kafka, PostgreSQL and the dispatcher,
 * on the same cores.
 */
final class Webhooks {

	private static final String SCENARIO = "8 webhooks";

	/** The dispatcher's per-endpoint concurrency in the bench, and the bare loop's. */
	static final int CONCURRENCY = 16;

	private static final int BURST = 3000;

	private static final int ENDPOINTS = 1000;

	private static final int TRICKLE = 200;

	private static final Duration TRICKLE_EVERY = Duration.ofMillis(20);

	private static final Duration WAIT = Duration.ofMinutes(2);

	private final Bench bench;

	Webhooks(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Map<String, Long> limits = new HashMap<>(Tenants.UNTHROTTLED);
		limits.put("webhook_endpoints", (long) ENDPOINTS);
		Tenants.Tenant burstTenant = this.bench.tenants().create("webhooks-burst", limits);
		Tenants.Tenant fanOutTenant = this.bench.tenants().create("webhooks-fan-out", limits);
		String topic = new Topics(System.getenv("BATCHLINE_TOPICS_PREFIX")).jobEvents();
		List<Double> bare = new ArrayList<>();
		List<Double> rate = new ArrayList<>();
		List<Double> burst50 = new ArrayList<>();
		List<Double> burst99 = new ArrayList<>();
		List<Double> fanOut = new ArrayList<>();
		List<Double> trickle50 = new ArrayList<>();
		List<Double> trickle99 = new ArrayList<>();
		List<Map<String, Double>> bareCores = new ArrayList<>();
		List<Map<String, Double>> burstCores = new ArrayList<>();
		List<Double> ceiling = new ArrayList<>();
		try (WebhookReceiver receiver = new WebhookReceiver();
				KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
						this.bench.pipeline().bootstrapServers(), "key.serializer", StringSerializer.class,
						"value.serializer", CloudEventSerializer.class, "linger.ms", 5))) {
			register(new Api(this.bench.pipeline().api(), burstTenant.key()), receiver, 1, "/burst");
			Console.step(SCENARIO + ": registering " + ENDPOINTS + " endpoints of one tenant");
			register(new Api(this.bench.pipeline().api(), fanOutTenant.key()), receiver, ENDPOINTS, "/fan-out/");
			for (int round = 0; round <= this.bench.plan().rounds(); round++) {
				int before = receiver.count();
				if (round == 0) {
					// a fresh dispatcher spends half its CPU in the JIT through its first
					// tens of thousands of webhooks, and this JVM's client and receiver
					// warm up too: the warm-up round starts with bursts for a while
					long until = System.nanoTime() + warmUp().toNanos();
					while (System.nanoTime() < until) {
						bareLoop(receiver.url("/bare"), BURST);
						publish(producer, topic, burstTenant.id(), BURST);
						await(receiver, before += BURST);
						receiver.drain();
					}
				}
				Optional<CpuSampler.Sample> bareStart = cpuNow();
				double bareRate = bareLoop(receiver.url("/bare"), BURST);
				Optional<CpuSampler.Sample> burstStart = cpuNow();
				long t0 = System.nanoTime();
				publish(producer, topic, burstTenant.id(), BURST);
				await(receiver, before + BURST);
				List<WebhookReceiver.Received> burst = receiver.drain();
				double seconds = (System.nanoTime() - t0) / 1e9;
				Optional<CpuSampler.Sample> burstEnd = cpuNow();
				long[] burstLatency = latencies(burst);

				before = receiver.count();
				publish(producer, topic, fanOutTenant.id(), 1);
				await(receiver, before + ENDPOINTS);
				long[] fanOutLatency = latencies(receiver.drain());

				before = receiver.count();
				for (int i = 0; i < TRICKLE; i++) {
					publish(producer, topic, burstTenant.id(), 1);
					Thread.sleep(TRICKLE_EVERY.toMillis());
				}
				await(receiver, before + TRICKLE);
				long[] trickle = latencies(receiver.drain());

				double burstRate = BURST / seconds;
				Console.step(String.format(
						"%s round %d: bare loop %.0f/s, dispatcher %.0f/s (%.2f); burst p50 %.0f ms, p99 %.0f ms;"
								+ " %d endpoints all in %.0f ms; trickle p50 %.0f ms, p99 %.0f ms",
						SCENARIO, round, bareRate, burstRate, burstRate / bareRate, Stats.percentile(burstLatency, 50),
						Stats.percentile(burstLatency, 99), ENDPOINTS, Stats.percentile(fanOutLatency, 100),
						Stats.percentile(trickle, 50), Stats.percentile(trickle, 99)));
				if (round > 0) {
					bareStart.flatMap((start) -> burstStart.map((end) -> CpuSampler.between(start, end)))
						.ifPresent(bareCores::add);
					burstStart.flatMap((start) -> burstEnd.map((end) -> CpuSampler.between(start, end)))
						.ifPresent((cores) -> {
							burstCores.add(cores);
							ceiling.add(ceilingRatio(cores, this.bench.pipeline().dispatcher().name(), burstRate,
									bareRate));
						});
					bare.add(bareRate);
					rate.add(burstRate);
					burst50.add(Stats.percentile(burstLatency, 50));
					burst99.add(Stats.percentile(burstLatency, 99));
					fanOut.add(Stats.percentile(fanOutLatency, 100) / 1000);
					trickle50.add(Stats.percentile(trickle, 50));
					trickle99.add(Stats.percentile(trickle, 99));
				}
			}
			if (receiver.badSignatures() > 0) {
				this.bench.report().note("Scenario 8: " + receiver.badSignatures() + " webhooks failed verification");
			}
		}
		Report report = this.bench.report();
		report.ratio(SCENARIO, "deliveries/s, " + BURST + " events at once", Stats.of(rate), Stats.of(bare), "%,.0f",
				"/s", 0.6);
		report.cpu(SCENARIO + " (bare loop; median of the measured rounds)", CpuSampler.medians(bareCores));
		report.cpu(SCENARIO + " (" + BURST + " events at once; median of the measured rounds)",
				CpuSampler.medians(burstCores));
		if (!ceiling.isEmpty()) {
			report.info(SCENARIO, "burst: the best ratio these cores allow a dispatcher that cost nothing",
					Stats.of(ceiling).format("%.2f"));
		}
		report.atMost(SCENARIO, "burst: job's end → webhook in, p99", Stats.of(burst99), "%,.0f", 2000, "ms");
		report.info(SCENARIO, "burst: job's end → webhook in, p50", Stats.of(burst50).format("%,.0f") + " ms");
		report.atMost(SCENARIO, ENDPOINTS + " endpoints, one event: all in", Stats.of(fanOut), "%.2f", 10, "s");
		report.info(SCENARIO, "one event every 20 ms: p50",
				Stats.of(trickle50).format("%.0f") + " ms; p99 " + Stats.of(trickle99).format("%.0f") + " ms");
	}

	/**
	 * The burst's ratio to the bare loop if the dispatcher cost no CPU: every core of the
	 * machine given to what the burst needs besides it (this JVM's producer and verifying
	 * receiver, Kafka, PostgreSQL, the other services), at what they used per webhook.
	 * The bare loop needs this JVM alone.
	 */
	private static double ceilingRatio(Map<String, Double> cores, String dispatcher, double burstRate,
			double bareRate) {
		double others = cores.entrySet()
			.stream()
			.filter((e) -> !e.getKey().equals(dispatcher) && !e.getKey().equals(CpuSampler.IDLE)
					&& !e.getKey().contains(": "))
			.mapToDouble(Map.Entry::getValue)
			.sum();
		double perWebhook = others / burstRate;
		return Runtime.getRuntime().availableProcessors() / perWebhook / bareRate;
	}

	/** The CPU time of the pipeline's processes and this JVM now. */
	private Optional<CpuSampler.Sample> cpuNow() {
		return CpuSampler.take(this.bench.pids(), Set.of());
	}

	private Duration warmUp() {
		return this.bench.plan().quick() ? Duration.ofSeconds(20) : Duration.ofSeconds(40);
	}

	/** Registers endpoints for terminal events at {@code path} (+ a number when many). */
	private static void register(Api api, WebhookReceiver receiver, int count, String path) throws Exception {
		for (int i = 0; i < count; i++) {
			String at = (count == 1) ? path : path + i;
			JsonNode endpoint = api.post("/v1/webhook-endpoints",
					Map.of("url", receiver.url(at), "event_types", List.of(JobEvent.SUCCEEDED)), 201);
			receiver.expect(at, endpoint.get("secret").asString());
		}
	}

	/** Webhooks/s of a bare client loop: the dispatcher's HTTP client, no signing. */
	private static double bareLoop(String url, int count) throws Exception {
		byte[] body = "{\"type\":\"job.succeeded\",\"data\":{}}".getBytes();
		try (CloseableHttpClient client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setMaxConnTotal(CONCURRENCY)
				.setMaxConnPerRoute(CONCURRENCY)
				.build())
			.build(); ExecutorService threads = Executors.newFixedThreadPool(CONCURRENCY)) {
			long t0 = System.nanoTime();
			List<Future<Integer>> sent = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				sent.add(threads.submit(() -> {
					HttpPost post = new HttpPost(url);
					post.setHeader("webhook-id", "msg_bench");
					post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
					return client.execute(post, (response) -> {
						EntityUtils.consume(response.getEntity());
						return response.getCode();
					});
				}));
			}
			for (Future<Integer> future : sent) {
				future.get();
			}
			return count / ((System.nanoTime() - t0) / 1e9);
		}
	}

	private static void publish(KafkaProducer<String, CloudEvent> producer, String topic, UUID tenant, int count) {
		for (int i = 0; i < count; i++) {
			UUID job = UUID.randomUUID();
			JobEvent event = new JobEvent(UUID.randomUUID(), JobEvent.SUCCEEDED, Instant.now(), job, tenant,
					BenchmarkModel.NAME, "1", "SUCCEEDED", "all 1 items processed, 0 failed", 1, 1, 0, null);
			producer.send(new ProducerRecord<>(topic, job.toString(), CloudEventRecords.event(event.id().toString(),
					JobEvent.cloudEventType(event.type()), "api-service", job.toString(), event.occurredAt(), event)));
		}
		producer.flush();
	}

	private static void await(WebhookReceiver receiver, int count) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (receiver.count() < count) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(
						"Scenario 8: " + receiver.count() + " of " + count + " webhooks arrived within " + WAIT);
			}
			Thread.sleep(5);
		}
	}

	/** Milliseconds from each webhook's terminal-state time to its arrival. */
	private static long[] latencies(List<WebhookReceiver.Received> received) {
		return received.stream()
			.mapToLong(
					(got) -> Duration.between(EventCodec.decode(got.body(), WebhookPayload.class).timestamp(), got.at())
						.toMillis())
			.toArray();
	}

}
