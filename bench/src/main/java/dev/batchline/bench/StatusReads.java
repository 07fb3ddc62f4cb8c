package dev.batchline.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.launcher.Console;

/**
 * Scenario 4: {@code GET /v1/jobs/{id}} under keep-alive load from several connections
 * ({@link HttpLoad}: wrk when installed, else a built-in blocking client), beside
 * {@code /readyz} (the readiness probe: PostgreSQL and Kafka checked) of the same
 * api-service with the same client in the same run, rounds alternating.
 */
final class StatusReads {

	private static final String SCENARIO = "4 status reads";

	private final Bench bench;

	StatusReads(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		UUID id = this.bench.api().submit("iris", List.of("[5.1,3.5,1.4,0.2]"));
		this.bench.api().awaitTerminal(List.of(id), Duration.ofMillis(50), Duration.ofMinutes(1));
		URI status = URI.create(this.bench.api().url("/v1/jobs/" + id));
		URI health = URI.create(this.bench.api().url("/readyz"));
		Map<String, String> auth = Map.of("Authorization", "Bearer " + this.bench.api().key());
		HttpLoad client = HttpLoad.detect();
		Console.step(SCENARIO + ": load from " + client.name());
		this.bench.report().setting("status_reads_client", client.name());
		List<Double> statusRates = new ArrayList<>();
		List<Double> healthRates = new ArrayList<>();
		List<Double> statusP99 = new ArrayList<>();
		List<Double> healthP99 = new ArrayList<>();
		for (int round = 0; round <= plan.rounds(); round++) {
			// a long warm-up: the status read's path (Tomcat, the filter, JDBC, Jackson)
			// is
			// still being compiled by the JIT well after the first thousands of requests
			Duration length = (round == 0) ? plan.reads().multipliedBy(3) : plan.reads();
			HttpLoad.Result s = client.run(status, auth, length, plan.readConnections());
			HttpLoad.Result h = client.run(health, Map.of(), length, plan.readConnections());
			Console
				.step(String.format("%s round %d: status %,.0f req/s (p99 %.1f ms), health %,.0f req/s (p99 %.1f ms)",
						SCENARIO, round, s.perSecond(), s.p99Millis(), h.perSecond(), h.p99Millis()));
			if (round > 0) {
				statusRates.add(s.perSecond());
				healthRates.add(h.perSecond());
				statusP99.add(s.p99Millis());
				healthP99.add(h.p99Millis());
			}
		}
		this.bench.report()
			.ratio(SCENARIO, "GET /v1/jobs/{id} req/s vs /readyz", Stats.of(statusRates), Stats.of(healthRates),
					"%,.0f", "req/s", 0.5);
		this.bench.report().atMost(SCENARIO, "GET /v1/jobs/{id} p99", Stats.of(statusP99), "%.1f", 20, "ms");
		this.bench.report().info(SCENARIO, "/readyz p99", Stats.of(healthP99).format("%.1f") + " ms");
		this.bench.report().info(SCENARIO, "load client", client.name());
	}

}
