package dev.batchline.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 6: tenant B's 1-item Iris jobs one after another, the time from the POST until
 * {@code GET /v1/jobs/{id}} shows a terminal state (as scenario 3 measures it), in three
 * phases a round: on a quiet pipeline; while tenant A floods the API with status reads
 * and lists; while A floods with reads, lists and 1-item jobs. A floods from keep-alive
 * connections, each sending its next request as soon as the previous answer arrived. A
 * has the default limits, so most of its requests are refused (429); so has B, but for
 * its jobs per second: B submits its next job as soon as one ends, faster than the
 * default 10 a second on a quiet pipeline. Target: B's p99 in a flooded phase at most
 * twice its quiet p99 of the same run.
 */
final class NoisyNeighbour {

	private static final String SCENARIO = "6 noisy neighbour";

	/** B's own limit: more jobs a second than it can submit one after another. */
	private static final Map<String, Long> B_LIMITS = Map.of("jobs_per_second", 1_000L);

	/**
	 * B's polling: as often as B may without a 429 of its own (100 requests per second by
	 * default, a submission per job besides).
	 */
	private static final Duration POLL = Duration.ofMillis(15);

	private static final double TARGET_RATIO = 2.0;

	private static final String ONE_ITEM = "{\"model\":\"iris\",\"instances\":[[5.1,3.5,1.4,0.2]]}";

	private final Bench bench;

	/** B's own 429s, counted over the whole scenario (any is a failure of isolation). */
	private long quietTenantRefused;

	NoisyNeighbour(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		this.bench.pipeline().scaleWorkers(plan.workers());
		Api a = this.bench.api().as(this.bench.tenants().create("noisy-a").key());
		Api b = this.bench.api().as(this.bench.tenants().create("quiet-b", B_LIMITS).key());
		UUID aJob = a.submit("iris", List.of("[5.1,3.5,1.4,0.2]"));
		a.awaitTerminal(List.of(aJob), Duration.ofMillis(50), Duration.ofMinutes(1));
		URI api = URI.create(a.url("/"));
		List<byte[]> reads = List.of(get(api, "/v1/jobs/" + aJob, a.key()), get(api, "/v1/jobs?limit=20", a.key()));
		List<byte[]> readsAndJobs = List.of(post(api, "/v1/jobs", a.key(), ONE_ITEM), reads.get(0), reads.get(1));
		int connections = plan.readConnections();
		Duration cap = plan.quick() ? Duration.ofSeconds(15) : Duration.ofSeconds(30);
		Console.step(SCENARIO + ": tenant A floods from " + connections + " connections; tenant B's 1-item jobs ("
				+ plan.latencyJobs() + " a phase, at most " + cap.toSeconds() + " s) quiet, with A reading, with A"
				+ " reading and submitting 1-item jobs");
		Phase quiet = new Phase();
		Phase flooded = new Phase();
		Phase readFlooded = new Phase();
		for (int round = 0; round <= plan.rounds(); round++) {
			// the warm-up round is quiet only: the JIT compiles B's path
			double q99 = quiet.measure(this, b, plan.latencyJobs(), cap, round > 0, null, null);
			if (round == 0) {
				Console.step(String.format("%s warm-up: B p99 %.1f ms", SCENARIO, q99));
				continue;
			}
			double r99 = readFlooded.measure(this, b, plan.latencyJobs(), cap, true,
					Flood.start(api, reads, connections), a);
			double f99 = flooded.measure(this, b, plan.latencyJobs(), cap, true,
					Flood.start(api, readsAndJobs, connections), a);
			Console.step(String.format(
					"%s round %d: B p99 quiet %.1f ms, A reading %.1f ms (%s), A reading and submitting %.1f ms (%s)",
					SCENARIO, round, q99, r99, readFlooded.lastFlood, f99, flooded.lastFlood));
		}
		Report report = this.bench.report();
		report.ratioAtMost(SCENARIO, "B: 1-item job p99, A submitting jobs and reading vs quiet", Stats.of(flooded.p99),
				Stats.of(quiet.p99), "%.1f", "ms", TARGET_RATIO);
		report.ratioAtMost(SCENARIO, "B: 1-item job p99, A reading only vs quiet", Stats.of(readFlooded.p99),
				Stats.of(quiet.p99), "%.1f", "ms", TARGET_RATIO);
		report.info(SCENARIO, "B: p50 quiet / A reading / A submitting", Stats.of(quiet.p50).format("%.1f") + " / "
				+ Stats.of(readFlooded.p50).format("%.1f") + " / " + Stats.of(flooded.p50).format("%.1f") + " ms");
		report.info(SCENARIO, "B: jobs measured per phase, quiet / A reading / A submitting",
				quiet.jobs + " / " + readFlooded.jobs + " / " + flooded.jobs);
		report.info(SCENARIO, "A: requests sent, reading / submitting (" + connections + " connections)",
				Stats.of(readFlooded.offered).format("%,.0f") + " / " + Stats.of(flooded.offered).format("%,.0f")
						+ " req/s");
		report.info(SCENARIO, "A: answers by status, reading", readFlooded.answers.toString());
		report.info(SCENARIO, "A: answers by status, submitting", flooded.answers.toString());
		report.add(new Report.Row(SCENARIO, "B: answers 429", Long.toString(this.quietTenantRefused), "—", "—", "0",
				(this.quietTenantRefused == 0) ? "PASS" : "FAIL"));
	}

	/** One kind of phase over the measured rounds: B's latencies, A's flood. */
	private static final class Phase {

		final List<Double> p99 = new ArrayList<>();

		final List<Double> p50 = new ArrayList<>();

		final List<Double> offered = new ArrayList<>();

		final Map<Integer, Long> answers = new TreeMap<>();

		int jobs;

		String lastFlood = "";

		/**
		 * B's jobs, while {@code flood} (if any) runs; returns the p99 in ms, kept when
		 * {@code measured}.
		 */
		double measure(NoisyNeighbour scenario, Api b, int jobs, Duration cap, boolean measured, Flood flood, Api a)
				throws IOException, InterruptedException {
			long[] times = scenario.latencies(b, jobs, cap);
			double p99 = Stats.percentile(times, 99) / 1e6;
			if (flood != null) {
				Flood.Result result = flood.stop();
				awaitIdle(a);
				this.lastFlood = String.format("A %,.0f req/s, %s", result.perSecond(), result.answers());
				if (measured) {
					this.offered.add(result.perSecond());
					result.answers().forEach((status, count) -> this.answers.merge(status, count, Long::sum));
				}
			}
			if (measured) {
				this.p99.add(p99);
				this.p50.add(Stats.percentile(times, 50) / 1e6);
				this.jobs += times.length;
			}
			return p99;
		}

	}

	/**
	 * B's jobs one after another: nanoseconds from each POST until its status read shows
	 * a terminal state.
	 */
	private long[] latencies(Api b, int jobs, Duration cap) throws IOException, InterruptedException {
		long[] times = new long[jobs];
		long end = System.nanoTime() + cap.toNanos();
		for (int j = 0; j < jobs; j++) {
			if (System.nanoTime() > end) {
				return java.util.Arrays.copyOf(times, j);
			}
			long start = System.nanoTime();
			UUID id = UUID.fromString(call(b, "/v1/jobs", ONE_ITEM, 202).get("id").asString());
			JsonNode job = call(b, "/v1/jobs/" + id, null, 200);
			while (!Api.terminal(job)) {
				Thread.sleep(POLL.toMillis());
				job = call(b, "/v1/jobs/" + id, null, 200);
			}
			times[j] = System.nanoTime() - start;
		}
		return times;
	}

	/**
	 * One of B's requests; a 429 is counted and the request sent again after the
	 * {@code Retry-After} (its wait counts in the job's time).
	 */
	private JsonNode call(Api b, String path, String json, int expected) throws IOException, InterruptedException {
		while (true) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(b.url(path)))
				.header("Authorization", "Bearer " + b.key())
				.timeout(Duration.ofSeconds(30));
			if (json != null) {
				request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
			}
			HttpResponse<byte[]> response = b.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() == expected) {
				return EventCodec.tree(response.body());
			}
			if (response.statusCode() != 429) {
				throw new IllegalStateException(((json != null) ? "POST " : "GET ") + path + " answered "
						+ response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
			}
			this.quietTenantRefused++;
			long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
			Thread.sleep(Duration.ofSeconds(Math.max(1, seconds)).toMillis());
		}
	}

	/** Waits until A's accepted jobs have finished, so the next quiet round is quiet. */
	private static void awaitIdle(Api a) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (System.nanoTime() < deadline) {
			try {
				if (a.get("/v1/jobs?state=QUEUED&limit=1").get("data").isEmpty()
						&& a.get("/v1/jobs?state=RUNNING&limit=1").get("data").isEmpty()) {
					return;
				}
			}
			catch (IllegalStateException | IOException ex) {
				// A is still over its limit right after the flood
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException("Tenant A's jobs did not finish within 2 minutes of the flood");
	}

	private static byte[] get(URI api, String path, String key) {
		return request("GET", api, path, key, null);
	}

	private static byte[] post(URI api, String path, String key, String json) {
		return request("POST", api, path, key, json);
	}

	private static byte[] request(String method, URI api, String path, String key, String json) {
		return KeepAlive.request(api, method, path, Map.of("Authorization", "Bearer " + key), json);
	}

	/**
	 * Tenant A's flood: each connection (a blocking socket, a platform thread) sends the
	 * requests in turn, the next as soon as the previous answer has arrived, and counts
	 * the answers by status until stopped.
	 */
	static final class Flood {

		/** What the flood sent and got back. */
		record Result(double perSecond, Map<Integer, Long> answers) {

			double share(int status) {
				long all = this.answers.values().stream().mapToLong(Long::longValue).sum();
				return (all > 0) ? (double) this.answers.getOrDefault(status, 0L) / all : 0;
			}

		}

		private final Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();

		private final List<Thread> threads = new ArrayList<>();

		private final long start = System.nanoTime();

		private volatile boolean stopping;

		private Flood() {
		}

		static Flood start(URI api, List<byte[]> requests, int connections) {
			Flood flood = new Flood();
			for (int c = 0; c < connections; c++) {
				int first = c;
				flood.threads
					.add(Thread.ofPlatform().name("flood-" + c).start(() -> flood.connection(api, requests, first)));
			}
			return flood;
		}

		Result stop() throws InterruptedException {
			this.stopping = true;
			for (Thread thread : this.threads) {
				thread.join();
			}
			double seconds = (System.nanoTime() - this.start) / 1e9;
			Map<Integer, Long> counted = new TreeMap<>();
			this.answers.forEach((status, count) -> counted.put(status, count.sum()));
			long all = counted.values().stream().mapToLong(Long::longValue).sum();
			return new Result(all / seconds, counted);
		}

		/**
		 * One connection's requests, reconnecting when the server closes it; a request
		 * that got no answer counts as status 0.
		 */
		private void connection(URI api, List<byte[]> requests, int first) {
			int next = first;
			Socket socket = null;
			InputStream in = null;
			OutputStream out = null;
			while (!this.stopping) {
				try {
					if (socket == null) {
						socket = new Socket();
						socket.setTcpNoDelay(true);
						socket.connect(new InetSocketAddress(api.getHost(), api.getPort()), 5000);
						socket.setSoTimeout(30_000);
						in = new BufferedInputStream(socket.getInputStream());
						out = new BufferedOutputStream(socket.getOutputStream());
					}
					out.write(requests.get(next++ % requests.size()));
					out.flush();
					HttpLoad.Sockets.Answer answer = HttpLoad.Sockets.readAnswer(in);
					this.answers.computeIfAbsent(answer.status(), (status) -> new LongAdder()).increment();
					if (!answer.keepAlive()) {
						socket.close();
						socket = null;
					}
				}
				catch (IOException ex) {
					this.answers.computeIfAbsent(0, (status) -> new LongAdder()).increment();
					socket = close(socket);
				}
			}
			close(socket);
		}

		private static Socket close(Socket socket) {
			if (socket != null) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// the connection is gone either way
				}
			}
			return null;
		}

	}

}
