package dev.batchline.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 7's load: one client a request, each a platform thread with a keep-alive
 * connection of its own, sending its request again as soon as the answer came, for a
 * warm-up and then a measured span. Requests/s and latencies count the answers 200 that
 * arrived within the span; the mean rows per predict call on the workers' prediction lane
 * is the change of their {@code batchline.worker.batch.size{lane=predict}} over it.
 */
final class ConcurrentLoad {

	/** The span's requests per second, latencies and rows per predict call. */
	record Result(double perSecond, double p50Millis, double p99Millis, double meanBatch) {
	}

	private static final int MAX_SAMPLES = 1 << 16;

	private final Bench bench;

	private final URI api;

	private final Answers answers;

	ConcurrentLoad(Bench bench, URI api, Answers answers) {
		this.bench = bench;
		this.api = api;
		this.answers = answers;
	}

	/** One client per request, each sending its own request again and again. */
	Result run(List<byte[]> requests, Duration warmUp, Duration length) throws InterruptedException {
		int clients = requests.size();
		long from = System.nanoTime() + warmUp.toNanos();
		long to = from + length.toNanos();
		long[][] latencies = new long[clients][MAX_SAMPLES];
		int[] counts = new int[clients];
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			int client = c;
			threads.add(Thread.ofPlatform()
				.name("infer-client-" + c)
				.start(() -> client(requests.get(client), from, to, latencies[client], counts, client)));
		}
		sleepUntil(from);
		double calls = predictCalls("COUNT");
		double rows = predictCalls("TOTAL");
		sleepUntil(to);
		calls = predictCalls("COUNT") - calls;
		rows = predictCalls("TOTAL") - rows;
		for (Thread thread : threads) {
			thread.join();
		}
		int total = 0;
		for (int count : counts) {
			total += count;
		}
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < clients; c++) {
			System.arraycopy(latencies[c], 0, all, at, counts[c]);
			at += counts[c];
		}
		return new Result(total / (length.toNanos() / 1e9), Stats.percentile(all, 50) / 1e6,
				Stats.percentile(all, 99) / 1e6, (calls > 0) ? rows / calls : Double.NaN);
	}

	private void client(byte[] request, long from, long to, long[] latencies, int[] counts, int client) {
		int n = 0;
		try (KeepAlive connection = new KeepAlive(this.api)) {
			for (long start = System.nanoTime(); start < to; start = System.nanoTime()) {
				KeepAlive.Answer answer = this.answers.exchange(connection, request);
				long end = System.nanoTime();
				if (answer == null) {
					// the connection failed (counted): not in a tight loop
					LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
				}
				else if (answer.status() == 200 && end >= from && end <= to && n < latencies.length) {
					latencies[n++] = end - start;
				}
			}
		}
		counts[client] = n;
	}

	/** The workers' prediction-lane batch sizes so far: COUNT (calls) or TOTAL (rows). */
	private double predictCalls(String statistic) {
		return this.bench.workerMetric("batchline.worker.batch.size", statistic, "lane:predict");
	}

	private static void sleepUntil(long nanoTime) throws InterruptedException {
		long left = nanoTime - System.nanoTime();
		if (left > 0) {
			Thread.sleep(Duration.ofNanos(left));
		}
	}

}
