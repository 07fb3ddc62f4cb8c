package dev.batchline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.batchline.launcher.Console;

/**
 * Scenario 4: {@code GET /v1/jobs/{id}} under keep-alive load from several client threads
 * (one java.net.http client, HTTP/1.1), beside {@code /actuator/health} of the same
 * api-service with the same client in the same run, rounds alternating.
 */
final class StatusReads {

	private static final String SCENARIO = "4 status reads";

	private final Bench bench;

	StatusReads(Bench bench) {
		this.bench = bench;
	}

	/** Requests per second and latencies of one round. */
	private record Load(double perSecond, long[] nanos) {
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		UUID id = this.bench.api().submit("iris", List.of("[5.1,3.5,1.4,0.2]"));
		this.bench.api().awaitTerminal(List.of(id), Duration.ofMillis(50), Duration.ofMinutes(1));
		HttpRequest status = HttpRequest.newBuilder(URI.create(this.bench.api().url("/v1/jobs/" + id)))
			.header("Authorization", "Bearer " + this.bench.api().key())
			.build();
		HttpRequest health = HttpRequest.newBuilder(URI.create(this.bench.api().url("/actuator/health"))).build();
		List<Double> statusRates = new ArrayList<>();
		List<Double> healthRates = new ArrayList<>();
		List<Double> statusP99 = new ArrayList<>();
		List<Double> healthP99 = new ArrayList<>();
		for (int round = 0; round <= plan.rounds(); round++) {
			Duration length = (round == 0) ? Duration.ofSeconds(2) : plan.reads();
			Load s = load(status, length, plan.readConnections());
			Load h = load(health, length, plan.readConnections());
			Console
				.step(String.format("%s round %d: status %,.0f req/s (p99 %.1f ms), health %,.0f req/s (p99 %.1f ms)",
						SCENARIO, round, s.perSecond(), Stats.percentile(s.nanos(), 99) / 1e6, h.perSecond(),
						Stats.percentile(h.nanos(), 99) / 1e6));
			if (round > 0) {
				statusRates.add(s.perSecond());
				healthRates.add(h.perSecond());
				statusP99.add(Stats.percentile(s.nanos(), 99) / 1e6);
				healthP99.add(Stats.percentile(h.nanos(), 99) / 1e6);
			}
		}
		this.bench.report()
			.ratio(SCENARIO, "GET /v1/jobs/{id} req/s vs /actuator/health", Stats.of(statusRates),
					Stats.of(healthRates), "%,.0f", "req/s", 0.5);
		this.bench.report().atMost(SCENARIO, "GET /v1/jobs/{id} p99", Stats.of(statusP99), "%.1f", 20, "ms");
		this.bench.report().info(SCENARIO, "/actuator/health p99", Stats.of(healthP99).format("%.1f") + " ms");
	}

	private Load load(HttpRequest request, Duration length, int connections) throws InterruptedException {
		long end = System.nanoTime() + length.toNanos();
		List<long[]> latencies = new ArrayList<>();
		int[] counts = new int[connections];
		AtomicBoolean failed = new AtomicBoolean();
		List<Thread> threads = new ArrayList<>();
		long start = System.nanoTime();
		for (int c = 0; c < connections; c++) {
			long[] mine = new long[200_000];
			latencies.add(mine);
			int client = c;
			threads.add(Thread.ofPlatform().name("reads-" + c).start(() -> {
				int n = 0;
				while (System.nanoTime() < end && n < mine.length) {
					long t0 = System.nanoTime();
					try {
						HttpResponse<byte[]> response = this.bench.api()
							.http()
							.send(request, HttpResponse.BodyHandlers.ofByteArray());
						if (response.statusCode() != 200) {
							failed.set(true);
						}
					}
					catch (IOException ex) {
						failed.set(true);
					}
					catch (InterruptedException ex) {
						return;
					}
					mine[n++] = System.nanoTime() - t0;
				}
				counts[client] = n;
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		if (failed.get()) {
			throw new IllegalStateException(request.uri() + " failed under load");
		}
		int total = 0;
		for (int count : counts) {
			total += count;
		}
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < connections; c++) {
			System.arraycopy(latencies.get(c), 0, all, at, counts[c]);
			at += counts[c];
		}
		return new Load(total / seconds, all);
	}

}
