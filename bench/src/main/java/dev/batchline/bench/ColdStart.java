package dev.batchline.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.batchline.launcher.AotCache;
import dev.batchline.launcher.Console;
import dev.batchline.launcher.ServiceProcess;

/**
 * Scenario 10: the api-service restarted (SIGTERM, then a new JVM on the same port), once
 * without its AOT cache and once on it ({@link AotCache}): the seconds from the new JVM's
 * start until its readiness probe answers, and the first 100,000-item JSON job after the
 * start ({@code POST /v1/jobs} until the 202) beside warm ones (the median of the next
 * few in the same process). Each job is cancelled at once, and the next waits until it is
 * cancelled and the outbox is empty.
 */
final class ColdStart {

	private static final String SCENARIO = "10 cold start";

	private static final int ITEMS = 100_000;

	/** Jobs after the first, in the same process: the warm figure is their median. */
	private static final int WARM_JOBS = 5;

	private final Bench bench;

	ColdStart(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		if (!AotCache.of(this.bench.root(), "api-service").usable()) {
			this.bench.report()
				.note("Scenario 10: the api-service has no AOT cache for JDK " + Runtime.version()
						+ " (built without -Dbatchline.aot, or on another JDK): both starts are cold");
		}
		List<String> instances = new ArrayList<>(ITEMS);
		for (int i = 0; i < ITEMS; i++) {
			instances.add(Benchmark.IRIS.get(i % Benchmark.IRIS.size()));
		}
		byte[] job = Api.jobBody("iris", instances);
		for (AotCache.Mode mode : List.of(AotCache.Mode.NONE, AotCache.Mode.USE)) {
			String on = (mode == AotCache.Mode.USE) ? "on the AOT cache" : "no AOT cache";
			List<Double> ready = new ArrayList<>();
			List<Double> first = new ArrayList<>();
			List<Double> warm = new ArrayList<>();
			for (int round = 1; round <= this.bench.plan().rounds(); round++) {
				ServiceProcess api = this.bench.pipeline().restartApi(mode);
				long started = System.nanoTime();
				api.awaitReady();
				ready.add((System.nanoTime() - started) / 1e9);
				awaitIris();
				first.add(submitAndCancel(job));
				List<Double> after = new ArrayList<>();
				for (int i = 0; i < WARM_JOBS; i++) {
					after.add(submitAndCancel(job));
				}
				warm.add(Stats.of(after).median());
				Console.step(String.format("%s round %d, %s: ready after %.1f s, first job %.0f ms, warm %.0f ms",
						SCENARIO, round, on, ready.getLast(), first.getLast(), warm.getLast()));
			}
			this.bench.report()
				.info(SCENARIO, "api-service start → ready, " + on, Stats.of(ready).format("%.1f") + " s");
			String figure = "first 100k-item JSON job vs warm, " + on;
			if (mode == AotCache.Mode.USE) {
				this.bench.report().ratioAtMost(SCENARIO, figure, Stats.of(first), Stats.of(warm), "%.0f", "ms", 3.0);
			}
			else {
				this.bench.report().ratio(SCENARIO, figure, Stats.of(first), Stats.of(warm), "%.0f", "ms", null);
			}
		}
	}

	/** The api-service knows a model from a worker's announcement after its start. */
	private void awaitIris() throws IOException, InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!this.bench.api().get("/v1/models").toString().contains("\"iris\"")) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The restarted api-service did not hear of the iris model in 60 s");
			}
			Thread.sleep(200);
		}
	}

	/** Milliseconds until the 202 of a job, which is then cancelled. */
	private double submitAndCancel(byte[] job) throws IOException, InterruptedException {
		long start = System.nanoTime();
		UUID id = this.bench.api().submit(job);
		double millis = (System.nanoTime() - start) / 1e6;
		this.bench.api().cancelAndSettle(id);
		return millis;
	}

}
