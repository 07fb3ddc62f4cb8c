package dev.batchline.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 3: 1-item Iris jobs one after another on a warm pipeline; the time from the
 * POST until {@code GET /v1/jobs/{id}} (polled every 2 ms) shows a terminal state. The
 * server's own view (created_at to finished_at) is reported beside it.
 */
final class SmallJobLatency {

	private static final String SCENARIO = "3 small-job latency";

	private static final Duration POLL = Duration.ofMillis(2);

	private final Bench bench;

	SmallJobLatency(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		List<Double> p50 = new ArrayList<>();
		List<Double> p99 = new ArrayList<>();
		List<Double> server50 = new ArrayList<>();
		for (int round = 0; round <= plan.rounds(); round++) {
			// the warm-up is a full round: the first hundred jobs still run partly in
			// interpreted code (the JIT compiles the path after thousands of calls)
			int jobs = plan.latencyJobs();
			long[] client = new long[jobs];
			long[] server = new long[jobs];
			for (int j = 0; j < jobs; j++) {
				long start = System.nanoTime();
				UUID id = this.bench.api().submit("iris", List.of("[5.1,3.5,1.4,0.2]"));
				JsonNode job = this.bench.api().job(id);
				while (!Api.terminal(job)) {
					Thread.sleep(POLL.toMillis());
					job = this.bench.api().job(id);
				}
				client[j] = System.nanoTime() - start;
				Instant created = Api.instant(job, "created_at");
				server[j] = Duration.between(created, Api.instant(job, "finished_at")).toNanos();
			}
			double clientP50 = Stats.percentile(client, 50) / 1e6;
			double clientP99 = Stats.percentile(client, 99) / 1e6;
			Console.step(String.format("%s round %d: %d jobs, p50 %.1f ms, p99 %.1f ms", SCENARIO, round, jobs,
					clientP50, clientP99));
			if (round > 0) {
				p50.add(clientP50);
				p99.add(clientP99);
				server50.add(Stats.percentile(server, 50) / 1e6);
			}
		}
		this.bench.report().atMost(SCENARIO, "POST → terminal status seen, p50", Stats.of(p50), "%.1f", 100, "ms");
		this.bench.report().atMost(SCENARIO, "POST → terminal status seen, p99", Stats.of(p99), "%.1f", 300, "ms");
		this.bench.report()
			.info(SCENARIO, "server created_at → finished_at, p50", Stats.of(server50).format("%.1f") + " ms");
	}

}
