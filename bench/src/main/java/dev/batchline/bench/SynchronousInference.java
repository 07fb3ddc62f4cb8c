package dev.batchline.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 7: synchronous inference on the bench model through the Open Inference
 * Protocol ({@code POST /v2/models/bench/infer}, one row a request), each figure beside a
 * floor of the same run: single requests on a warm pipeline against raw DJL predict of a
 * row plus a loopback round trip ({@code GET /v2/health/live}); 64 concurrent clients
 * against raw DJL predict of the same rows; cache hits ({@code ?cache=true}) against the
 * round trip; and, once, single requests while a large batch job drains ({@link Drain}).
 */
final class SynchronousInference {

	static final String SCENARIO = "7 synchronous inference";

	/** Concurrent clients of the load row, each on its own connection. */
	static final int CLIENTS = 64;

	/** Distinct rows the single requests cycle through (the cache is off for them). */
	private static final int ROWS = 16;

	private final Bench bench;

	private final Answers answers = new Answers();

	private final URI api;

	private final Map<String, String> auth;

	/** Requests per measured round of the single-request rows. */
	private final int requests;

	private final Duration loadWarmUp;

	private final Duration load;

	/**
	 * The warm-up round's load: long enough for the services' JITs to compile the whole
	 * path under load (a fresh JVM serves 64 clients at less than half its warm rate, and
	 * after 30 s of load the rate still rose from round to round for two minutes).
	 */
	private final Duration warmUpLoad;

	SynchronousInference(Bench bench) {
		this.bench = bench;
		this.api = URI.create(bench.api().url("/"));
		this.auth = Map.of("Authorization", "Bearer " + bench.api().key());
		boolean quick = bench.plan().quick();
		this.requests = quick ? 200 : 500;
		this.loadWarmUp = Duration.ofSeconds(quick ? 1 : 2);
		this.load = Duration.ofSeconds(quick ? 3 : 5);
		this.warmUpLoad = Duration.ofSeconds(quick ? 15 : 90);
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		awaitReady();
		String input = this.bench.api()
			.get("/v2/models/" + BenchmarkModel.NAME)
			.get("inputs")
			.get(0)
			.get("name")
			.asString();
		List<byte[]> rows = new ArrayList<>();
		for (int r = 0; r < ROWS; r++) {
			rows.add(infer(input, r, false));
		}
		byte[] cached = infer(input, ROWS, true);
		List<byte[]> clients = new ArrayList<>();
		for (int c = 0; c < CLIENTS; c++) {
			clients.add(infer(input, ROWS + 1 + c, false));
		}
		byte[] live = KeepAlive.request(this.api, "GET", "/v2/health/live", Map.of(), null);
		Rounds rounds = new Rounds();
		Console.step(String.format(
				"%s: %d single 1-row requests a round, %d clients for %d s (after %d s), raw DJL predict beside",
				SCENARIO, this.requests, CLIENTS, this.load.toSeconds(), this.loadWarmUp.toSeconds()));
		try (RawPredict raw = new RawPredict(this.bench.models().resolve(BenchmarkModel.NAME).resolve("1"),
				BenchmarkModel.INPUTS, Bench.inlineOps())) {
			checkOutputs(rows.get(0));
			for (int round = 0; round <= plan.rounds(); round++) {
				// every service is a fresh JVM: the warm-up round has at least 300
				// requests, and its load lasts warmUpLoad
				int n = (round == 0) ? Math.max(300, this.requests) : this.requests;
				rounds.single(round, this.sequential(rows, n), this.sequential(List.of(live), n), raw.latencies(1, n));
				rounds.cached(round, cacheHits(cached, n), this.sequential(List.of(live), n));
				rounds.loaded(round,
						new ConcurrentLoad(this.bench, this.api, this.answers).run(clients, this.loadWarmUp,
								(round == 0) ? this.warmUpLoad : this.load),
						raw.itemsPerSecond(1, 1, plan.raw()), raw.itemsPerSecond(CLIENTS, 1, plan.raw()));
			}
		}
		rounds.report(this.bench.report());
		new Drain(this.bench, this.answers, this.api, rows).run(rounds.p50, rounds.p99);
		this.answers.report(this.bench.report());
	}

	/** Waits until the api-service reads the workers' answers (OIP model readiness). */
	void awaitReady() throws IOException, InterruptedException {
		byte[] ready = KeepAlive.request(this.api, "GET", "/v2/models/" + BenchmarkModel.NAME + "/ready", this.auth,
				null);
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		try (KeepAlive connection = new KeepAlive(this.api)) {
			KeepAlive.Answer answer = connection.exchange(ready);
			while (answer.status() != 200) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(
							"/v2/models/bench/ready answered " + answer.status() + ": " + answer.text() + " for 60 s");
				}
				Thread.sleep(200);
				answer = connection.exchange(ready);
			}
		}
	}

	/** An OIP request of one bench-model row as bytes. */
	byte[] infer(String input, long row, boolean cache) {
		return KeepAlive.request(this.api, "POST",
				"/v2/models/" + BenchmarkModel.NAME + "/infer" + (cache ? "?cache=true" : ""), this.auth,
				oneRow(input, row));
	}

	/** A KServe v2 body of one row of the bench model. */
	static String oneRow(String input, long row) {
		return "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP32\",\"shape\":[1," + BenchmarkModel.INPUTS
				+ "],\"data\":" + BenchmarkModel.instance(row) + "}]}";
	}

	/** The first answer must be the model's: one row of 16 outputs. */
	private void checkOutputs(byte[] request) throws IOException {
		try (KeepAlive connection = new KeepAlive(this.api)) {
			KeepAlive.Answer answer = connection.exchange(request);
			if (answer.status() != 200) {
				throw new IllegalStateException(
						"POST /v2/models/bench/infer answered " + answer.status() + ": " + answer.text());
			}
			JsonNode output = EventCodec.tree(answer.body()).get("outputs").get(0);
			if (!output.get("shape").toString().equals("[1," + BenchmarkModel.OUTPUTS + "]")
					|| output.get("data").size() != BenchmarkModel.OUTPUTS) {
				throw new IllegalStateException("POST /v2/models/bench/infer answered " + answer.text());
			}
		}
	}

	/**
	 * {@code n} requests one after another on one keep-alive connection, cycling through
	 * the given ones; nanoseconds of each that was answered 200.
	 */
	long[] sequential(List<byte[]> requests, int n) throws IOException {
		long[] nanos = new long[n];
		int ok = 0;
		try (KeepAlive connection = new KeepAlive(this.api)) {
			for (int i = 0; i < n; i++) {
				long start = System.nanoTime();
				KeepAlive.Answer answer = this.answers.exchange(connection, requests.get(i % requests.size()));
				long took = System.nanoTime() - start;
				if (answer != null && answer.status() == 200) {
					nanos[ok++] = took;
				}
			}
		}
		return Arrays.copyOf(nanos, ok);
	}

	/**
	 * The same cached row {@code n} times after one request that fills the cache; fails
	 * unless the api-service counted a hit of its predictions cache for each.
	 */
	private CacheHits cacheHits(byte[] cached, int n) throws IOException {
		sequential(List.of(cached), 1);
		double before = hits();
		long[] nanos = sequential(List.of(cached), n);
		return new CacheHits(nanos, (long) (hits() - before));
	}

	private double hits() {
		return this.bench.api()
			.metric(this.bench.api().service(), "cache.gets", "COUNT", "cache:predictions", "result:hit");
	}

	/** Cache hits' latencies and how many hits the api-service counted meanwhile. */
	record CacheHits(long[] nanos, long counted) {
	}

	/** The figures of the measured rounds, kept for the report. */
	private static final class Rounds {

		final List<Double> p50 = new ArrayList<>();

		final List<Double> p99 = new ArrayList<>();

		final List<Double> floorP50 = new ArrayList<>();

		final List<Double> floorP99 = new ArrayList<>();

		final List<Double> rawP50 = new ArrayList<>();

		final List<Double> rawP99 = new ArrayList<>();

		final List<Double> liveP50 = new ArrayList<>();

		final List<Double> liveP99 = new ArrayList<>();

		final List<Double> hitP50 = new ArrayList<>();

		final List<Double> hitP99 = new ArrayList<>();

		final List<Double> hitLiveP50 = new ArrayList<>();

		final List<Double> hitLiveP99 = new ArrayList<>();

		long hitRequests;

		long hitsCounted;

		final List<Double> rate = new ArrayList<>();

		final List<Double> raw1 = new ArrayList<>();

		final List<Double> raw64 = new ArrayList<>();

		final List<Double> batch = new ArrayList<>();

		final List<Double> loadP50 = new ArrayList<>();

		final List<Double> loadP99 = new ArrayList<>();

		void single(int round, long[] infer, long[] live, long[] raw) {
			double p50 = ms(infer, 50);
			double p99 = ms(infer, 99);
			Console.step(String.format(
					"%s round %d: 1-row infer p50 %.2f ms, p99 %.2f ms (%d answered); raw predict p50 %.2f, p99 %.2f;"
							+ " /v2/health/live p50 %.2f, p99 %.2f ms",
					SCENARIO, round, p50, p99, infer.length, ms(raw, 50), ms(raw, 99), ms(live, 50), ms(live, 99)));
			if (round > 0) {
				this.p50.add(p50);
				this.p99.add(p99);
				this.rawP50.add(ms(raw, 50));
				this.rawP99.add(ms(raw, 99));
				this.liveP50.add(ms(live, 50));
				this.liveP99.add(ms(live, 99));
				this.floorP50.add(ms(raw, 50) + ms(live, 50));
				this.floorP99.add(ms(raw, 99) + ms(live, 99));
			}
		}

		void cached(int round, CacheHits hits, long[] live) {
			Console.step(String.format("%s round %d: cache hits p50 %.2f ms, p99 %.2f ms, %d requests, %d hits counted",
					SCENARIO, round, ms(hits.nanos(), 50), ms(hits.nanos(), 99), hits.nanos().length, hits.counted()));
			if (round > 0) {
				this.hitP50.add(ms(hits.nanos(), 50));
				this.hitP99.add(ms(hits.nanos(), 99));
				this.hitLiveP50.add(ms(live, 50));
				this.hitLiveP99.add(ms(live, 99));
				this.hitRequests += hits.nanos().length;
				this.hitsCounted += hits.counted();
			}
		}

		void loaded(int round, ConcurrentLoad.Result load, double raw1, double raw64) {
			Console.step(String.format(
					"%s round %d: %d clients %,.0f req/s (p50 %.1f ms, p99 %.1f ms, %.1f rows a predict call);"
							+ " raw DJL predict 1 row a call %,.0f rows/s, %d rows a call %,.0f rows/s",
					SCENARIO, round, CLIENTS, load.perSecond(), load.p50Millis(), load.p99Millis(), load.meanBatch(),
					raw1, CLIENTS, raw64));
			if (round > 0) {
				this.rate.add(load.perSecond());
				this.raw1.add(raw1);
				this.raw64.add(raw64);
				this.batch.add(load.meanBatch());
				this.loadP50.add(load.p50Millis());
				this.loadP99.add(load.p99Millis());
			}
		}

		void report(Report report) {
			report.atMostBeside(SCENARIO, "1-row infer, warm, sequential: p50 vs floor", Stats.of(this.p50),
					Stats.of(this.floorP50), "%.2f", 10, "ms");
			report.atMostBeside(SCENARIO, "1-row infer, warm, sequential: p99 vs floor", Stats.of(this.p99),
					Stats.of(this.floorP99), "%.2f", 30, "ms");
			report.info(SCENARIO, "floor: raw DJL predict 1 row + GET /v2/health/live",
					"p50 " + Stats.of(this.rawP50).format("%.2f") + " + " + Stats.of(this.liveP50).format("%.2f")
							+ " ms; p99 " + Stats.of(this.rawP99).format("%.2f") + " + "
							+ Stats.of(this.liveP99).format("%.2f") + " ms");
			report.ratio(SCENARIO, CLIENTS + " clients: req/s (rows/s) vs raw DJL predict, 1 row a call",
					Stats.of(this.rate), Stats.of(this.raw1), "%,.0f", "rows/s", 0.5);
			report.ratio(SCENARIO, CLIENTS + " clients: req/s (rows/s) vs raw DJL predict, " + CLIENTS + " rows a call",
					Stats.of(this.rate), Stats.of(this.raw64), "%,.0f", "rows/s", null);
			report.info(SCENARIO, CLIENTS + " clients: mean rows per predict call (lane=predict)",
					Stats.of(this.batch).format("%.1f"));
			report.info(SCENARIO, CLIENTS + " clients: latency p50 / p99",
					Stats.of(this.loadP50).format("%.1f") + " / " + Stats.of(this.loadP99).format("%.1f") + " ms");
			report.atMostBeside(SCENARIO, "cache hit (?cache=true): p50 vs GET /v2/health/live", Stats.of(this.hitP50),
					Stats.of(this.hitLiveP50), "%.2f", 3, "ms");
			report.ratio(SCENARIO, "cache hit (?cache=true): p99 vs GET /v2/health/live", Stats.of(this.hitP99),
					Stats.of(this.hitLiveP99), "%.2f", "ms", null);
			report.add(new Report.Row(SCENARIO, "cache hits counted (cache.gets result=hit) / requests",
					String.format("%,d / %,d", this.hitsCounted, this.hitRequests), "—", "—", "≥ requests",
					(this.hitRequests > 0 && this.hitsCounted >= this.hitRequests) ? "PASS" : "FAIL"));
		}

		static double ms(long[] nanos, double p) {
			return Stats.percentile(nanos, p) / 1e6;
		}

	}

}
