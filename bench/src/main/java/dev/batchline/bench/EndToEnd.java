package dev.batchline.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 5: one job on the benchmark model from the POST to SUCCEEDED, and where the
 * time went, from the job's own timestamps and the workers' predict timer: intake (POST
 * to 202), queued (202 to the first recorded result: relay, Kafka, the first batch),
 * running (first to last recorded result), of which the workers spent so long in DJL
 * predict.
 */
final class EndToEnd {

	private static final String SCENARIO = "5 end to end";

	private final Bench bench;

	EndToEnd(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		List<String> instances = new ArrayList<>(plan.endToEndItems());
		for (int i = 0; i < plan.endToEndItems(); i++) {
			instances.add(BenchmarkModel.instance(i));
		}
		List<Double> rates = new ArrayList<>();
		List<Double> intake = new ArrayList<>();
		List<Double> queued = new ArrayList<>();
		List<Double> running = new ArrayList<>();
		List<Double> predict = new ArrayList<>();
		List<Double> total = new ArrayList<>();
		for (int round = 0; round <= plan.rounds(); round++) {
			double predictBefore = this.bench.predictSeconds(BenchmarkModel.NAME);
			Instant posted = Instant.now();
			long start = System.nanoTime();
			UUID id = this.bench.api().submit(BenchmarkModel.NAME, instances);
			double accepted = (System.nanoTime() - start) / 1e9;
			Instant acceptedAt = posted.plusNanos((long) (accepted * 1e9));
			JsonNode job = this.bench.api()
				.awaitTerminal(List.of(id), Duration.ofMillis(50), Duration.ofMinutes(15))
				.get(0);
			if (!"SUCCEEDED".equals(job.get("state").asString())) {
				throw new IllegalStateException("Job " + id + " ended " + job);
			}
			Instant started = Api.instant(job, "started_at");
			Instant finished = Api.instant(job, "finished_at");
			double seconds = Duration.between(posted, finished).toNanos() / 1e9;
			double inPredict = this.bench.predictSeconds(BenchmarkModel.NAME) - predictBefore;
			Console.step(String.format(
					"%s round %d: %,d items in %.2f s (%,.0f items/s): intake %.2f s, queued %.2f s, running %.2f s (predict %.2f s)",
					SCENARIO, round, instances.size(), seconds, instances.size() / seconds, accepted,
					Duration.between(acceptedAt, started).toNanos() / 1e9,
					Duration.between(started, finished).toNanos() / 1e9, inPredict));
			if (round > 0) {
				total.add(seconds);
				rates.add(instances.size() / seconds);
				intake.add(accepted);
				queued.add(Duration.between(acceptedAt, started).toNanos() / 1e9);
				running.add(Duration.between(started, finished).toNanos() / 1e9);
				predict.add(inPredict);
			}
		}
		String what = String.format("%,d bench items", plan.endToEndItems());
		this.bench.report().info(SCENARIO, what + ": POST → SUCCEEDED", Stats.of(total).format("%.2f") + " s");
		this.bench.report().info(SCENARIO, what + ": items/s", Stats.of(rates).format("%,.0f") + " items/s");
		this.bench.report().info(SCENARIO, "intake (POST → 202)", Stats.of(intake).format("%.2f") + " s");
		this.bench.report()
			.info(SCENARIO, "queued (202 → first result recorded)", Stats.of(queued).format("%.2f") + " s");
		this.bench.report()
			.info(SCENARIO, "running (first → last result recorded)", Stats.of(running).format("%.2f") + " s");
		this.bench.report().info(SCENARIO, "of which workers in DJL predict", Stats.of(predict).format("%.2f") + " s");
	}

}
