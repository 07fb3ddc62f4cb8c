package dev.batchline.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 7's row under a drain, once a run: a bench-model job (NDJSON) is submitted,
 * and once it is RUNNING, 1-row OIP requests one after another on one keep-alive
 * connection for a bounded time, or until the job ends. Only requests answered before the
 * job's {@code finished_at} count, so the figure is always of the drain; the row beside
 * says whether the job was still running at the end. The job is cancelled then, so that
 * it does not run into the next scenario.
 */
final class Drain {

	private static final String SCENARIO = SynchronousInference.SCENARIO;

	private static final Duration POLL = Duration.ofMillis(200);

	private final Bench bench;

	private final Answers answers;

	private final URI api;

	private final List<byte[]> rows;

	private final int items;

	private final Duration window;

	Drain(Bench bench, Answers answers, URI api, List<byte[]> rows) {
		this.bench = bench;
		this.answers = answers;
		this.api = api;
		this.rows = rows;
		this.items = bench.plan().quick() ? 30_000 : 300_000;
		this.window = Duration.ofSeconds(bench.plan().quick() ? 5 : 10);
	}

	/** Measures, reports against the warm pipeline's figures of the same run. */
	void run(List<Double> quietP50, List<Double> quietP99) throws IOException, InterruptedException {
		UUID id = submit();
		JsonNode job = this.bench.api().job(id);
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (job.get("state").asString().equals("QUEUED") && System.nanoTime() < deadline) {
			Thread.sleep(20);
			job = this.bench.api().job(id);
		}
		if (!job.get("state").asString().equals("RUNNING")) {
			this.bench.report()
				.info(SCENARIO, "1-row infer while a job drains",
						"not measured: the job was " + job.get("state").asString() + " instead of RUNNING");
			finish(id);
			return;
		}
		Watch watch = new Watch(id);
		Thread watcher = Thread.ofPlatform().daemon().name("drain-watch").start(watch);
		long[] nanos = new long[1 << 16];
		long[] endedAt = new long[nanos.length];
		int n = 0;
		long start = System.nanoTime();
		long end = start + this.window.toNanos();
		try (KeepAlive connection = new KeepAlive(this.api)) {
			while (System.nanoTime() < end && !watch.ended && n < nanos.length) {
				long t0 = System.nanoTime();
				KeepAlive.Answer answer = this.answers.exchange(connection, this.rows.get(n % this.rows.size()));
				if (answer != null && answer.status() == 200) {
					nanos[n] = System.nanoTime() - t0;
					endedAt[n++] = System.currentTimeMillis();
				}
			}
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		watcher.interrupt();
		watcher.join();
		job = this.bench.api().job(id);
		Instant finished = Api.instant(job, "finished_at");
		int kept = n;
		if (finished != null) {
			// the last poll may have come after the end: only answers before it count
			kept = 0;
			while (kept < n && endedAt[kept] < finished.toEpochMilli()) {
				kept++;
			}
		}
		long[] during = Arrays.copyOf(nanos, kept);
		double p50 = Stats.percentile(during, 50) / 1e6;
		double p99 = Stats.percentile(during, 99) / 1e6;
		JsonNode counts = job.get("counts");
		String state = job.get("state").asString();
		String when = (finished == null)
				? String.format("still %s at the end: %,d of %,d items done; %,d requests in %.1f s", state,
						counts.get("succeeded").asLong() + counts.get("failed").asLong(), this.items, kept, seconds)
				: String.format("ended (%s) before the measurement did: only the %,d requests before that count", state,
						kept);
		Console.step(String.format("%s: during the drain p50 %.2f ms, p99 %.2f ms; job %s", SCENARIO, p50, p99, when));
		Report report = this.bench.report();
		String figure = String.format("1-row infer while a %,d-item job drains", this.items);
		report.atMostBeside(SCENARIO, figure + ": p99 vs warm", Stats.of(List.of(p99)), Stats.of(quietP99), "%.2f", 100,
				"ms");
		report.ratio(SCENARIO, figure + ": p50 vs warm", Stats.of(List.of(p50)), Stats.of(quietP50), "%.2f", "ms",
				null);
		report.add(new Report.Row(SCENARIO, "the job while measured", when, "—", "—", "running",
				(finished == null) ? "PASS" : "FAIL"));
		finish(id);
	}

	/** Submits the job as NDJSON; its id. */
	private UUID submit() throws IOException, InterruptedException {
		ByteArrayOutputStream body = new ByteArrayOutputStream(this.items * (BenchmarkModel.INPUTS * 2 + 1));
		for (int i = 0; i < this.items; i++) {
			body.writeBytes(BenchmarkModel.instance(i).getBytes(StandardCharsets.US_ASCII));
			body.write('\n');
		}
		long start = System.nanoTime();
		HttpResponse<byte[]> response = this.bench.api()
			.http()
			.send(HttpRequest.newBuilder(URI.create(this.bench.api().url("/v1/jobs?model=" + BenchmarkModel.NAME)))
				.header("Authorization", "Bearer " + this.bench.api().key())
				.header("Content-Type", "application/x-ndjson")
				.timeout(Duration.ofMinutes(10))
				.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != 202) {
			throw new IllegalStateException("POST /v1/jobs (NDJSON) answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
		Console.step(String.format("%s: a %,d-item job accepted in %.1f s", SCENARIO, this.items,
				(System.nanoTime() - start) / 1e9));
		return UUID.fromString(EventCodec.tree(response.body()).get("id").asString());
	}

	/** Cancels the job if it still runs, and waits until it has ended. */
	private void finish(UUID id) throws IOException, InterruptedException {
		if (!Api.terminal(this.bench.api().job(id))) {
			HttpResponse<String> response = this.bench.api()
				.http()
				.send(HttpRequest.newBuilder(URI.create(this.bench.api().url("/v1/jobs/" + id + "/cancel")))
					.header("Authorization", "Bearer " + this.bench.api().key())
					.timeout(Duration.ofSeconds(30))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(), HttpResponse.BodyHandlers.ofString());
			// 409: it has just finished
			if (response.statusCode() != 202 && response.statusCode() != 409) {
				throw new IllegalStateException(
						"POST /v1/jobs/" + id + "/cancel answered " + response.statusCode() + ": " + response.body());
			}
		}
		long start = System.nanoTime();
		JsonNode job = this.bench.api().awaitTerminal(List.of(id), POLL, Duration.ofMinutes(5)).get(0);
		Console.step(String.format("%s: the job is %s (%.1f s after the measurement)", SCENARIO,
				job.get("state").asString(), (System.nanoTime() - start) / 1e9));
	}

	/** Polls the job until it has ended or is interrupted. */
	private final class Watch implements Runnable {

		private final UUID id;

		volatile boolean ended;

		Watch(UUID id) {
			this.id = id;
		}

		@Override
		public void run() {
			try {
				while (!this.ended) {
					Thread.sleep(POLL);
					this.ended = Api.terminal(Drain.this.bench.api().job(this.id));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (IOException | RuntimeException ex) {
				// the measurement ends on time; the job is read again after it
			}
		}

	}

}
