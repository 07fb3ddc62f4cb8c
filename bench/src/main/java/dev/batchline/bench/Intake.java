package dev.batchline.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.Console;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Scenario 2: one job of N Iris items sent as NDJSON ({@code POST /v1/jobs?model=iris},
 * {@code Content-Type: application/x-ndjson}), items per second until the 202, beside a
 * bare PostgreSQL COPY of the same rows (chunks of 500 items, the JSON array of each)
 * into a table shaped like {@code input_chunks}; and the api-service's heap during the
 * upload. A job is only accepted for a model a running worker serves: the worker runs,
 * and each job is cancelled once accepted, and the next round waits until it is cancelled
 * and its chunks are published, so the worker only skips chunks, between the
 * measurements.
 */
final class Intake {

	private static final String SCENARIO = "2 intake (NDJSON)";

	/** The API's default chunk size (batchline.api.chunk-max-items). */
	private static final int CHUNK_ITEMS = 500;

	private final Bench bench;

	Intake(Bench bench) {
		this.bench = bench;
	}

	void run() throws Exception {
		Plan plan = this.bench.plan();
		List<String> lines = lines(plan.intakeItems());
		byte[] body = String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8);
		this.bench.pipeline().scaleWorkers(plan.workers());
		this.bench.api().awaitModels("iris");
		List<Double> copy = new ArrayList<>();
		for (int round = 0; round <= plan.rounds(); round++) {
			double rate = copy(lines);
			Console.step(String.format("%s round %d: COPY of %,d items at %,.0f items/s", SCENARIO, round, lines.size(),
					rate));
			if (round > 0) {
				copy.add(rate);
			}
		}
		List<Double> intake = new ArrayList<>();
		List<Double> heap = new ArrayList<>();
		// every process's memory is sampled in the warm-up round only: reading it five
		// times a second takes CPU from a measured round
		MemorySampler memory = new MemorySampler(this.bench.pipeline()::pids);
		Map<String, Long> peaks = Map.of();
		for (int round = 0; round <= plan.rounds(); round++) {
			AtomicLong peakHeap = new AtomicLong();
			Thread sampler = Thread.ofPlatform().daemon().start(() -> sampleHeap(peakHeap));
			long start = System.nanoTime();
			HttpResponse<String> response = postNdjson(body);
			double seconds = (System.nanoTime() - start) / 1e9;
			sampler.interrupt();
			sampler.join();
			if (response.statusCode() != 202) {
				memory.close();
				String why = "HTTP " + response.statusCode();
				this.bench.report()
					.add(new Report.Row(SCENARIO, "iris items/s until 202 vs COPY", "not available (" + why + ")",
							Stats.of(copy).format("%,.0f") + " items/s", "—", "≥ 0.50", "n/a"));
				this.bench.report()
					.note("Scenario 2: POST /v1/jobs with application/x-ndjson answered " + why + ": "
							+ response.body().substring(0, Math.min(200, response.body().length())));
				return;
			}
			double rate = lines.size() / seconds;
			Console.step(String.format("%s round %d: %,d items accepted in %.2f s (%,.0f items/s), heap peak %d MB",
					SCENARIO, round, lines.size(), seconds, rate, peakHeap.get() / (1024 * 1024)));
			if (round > 0) {
				intake.add(rate);
				heap.add(peakHeap.get() / (1024.0 * 1024));
			}
			else {
				peaks = memory.peaksMb();
			}
			this.bench.api().cancelAndSettle(jobId(response));
		}
		this.bench.report().memory("scenario 2 (1,000,000-item intake, warm-up round)", peaks);
		this.bench.report()
			.ratio(SCENARIO, "iris items/s until 202 vs COPY", Stats.of(intake), Stats.of(copy), "%,.0f", "items/s",
					0.5);
		this.bench.report().atMost(SCENARIO, "api-service heap used, peak", Stats.of(heap), "%.0f", 256, "MB");
	}

	/** {@code POST /v1/jobs?model=iris} of an NDJSON body, answered. */
	HttpResponse<String> postNdjson(byte[] body) throws IOException, InterruptedException {
		return this.bench.api()
			.http()
			.send(HttpRequest.newBuilder(URI.create(this.bench.api().url("/v1/jobs?model=iris")))
				.header("Authorization", "Bearer " + this.bench.api().key())
				.header("Content-Type", "application/x-ndjson")
				.timeout(Duration.ofMinutes(10))
				.POST(HttpRequest.BodyPublishers.ofByteArray(body))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The id of the job a {@link #postNdjson} accepted. */
	static UUID jobId(HttpResponse<String> accepted) {
		return UUID.fromString(EventCodec.tree(accepted.body().getBytes(StandardCharsets.UTF_8)).get("id").asString());
	}

	private void sampleHeap(AtomicLong peak) {
		while (!Thread.currentThread().isInterrupted()) {
			double used = this.bench.api().metric(this.bench.api().service(), "jvm.memory.used", "VALUE", "area:heap");
			if (!Double.isNaN(used)) {
				peak.accumulateAndGet((long) used, Math::max);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	/**
	 * The limit: the same items, grouped 500 to a chunk as the JSON array of its lines,
	 * copied in one transaction with COPY into a table like {@code input_chunks}.
	 * @return items per second
	 */
	private double copy(List<String> lines) throws SQLException, IOException {
		try (Connection connection = DriverManager.getConnection(this.bench.pipeline().jdbcUrl(), "postgres",
				"postgres"); Statement statement = connection.createStatement()) {
			statement.execute("create table if not exists bench_copy_chunks (like input_chunks including all)");
			statement.execute("truncate bench_copy_chunks");
			connection.setAutoCommit(false);
			long start = System.nanoTime();
			UUID job = UUID.randomUUID();
			CopyIn copy = connection.unwrap(PGConnection.class)
				.getCopyAPI()
				.copyIn("copy bench_copy_chunks (job_id, chunk_no, first_index, item_count, instances) from stdin");
			HexFormat hex = HexFormat.of();
			ByteArrayOutputStream chunk = new ByteArrayOutputStream();
			int chunkNo = 0;
			for (int from = 0; from < lines.size(); from += CHUNK_ITEMS) {
				chunk.reset();
				chunk.write('[');
				int to = Math.min(lines.size(), from + CHUNK_ITEMS);
				for (int i = from; i < to; i++) {
					if (i > from) {
						chunk.write(',');
					}
					chunk.writeBytes(lines.get(i).getBytes(StandardCharsets.UTF_8));
				}
				chunk.write(']');
				byte[] row = (job + "\t" + chunkNo++ + "\t" + from + "\t" + (to - from) + "\t\\\\x"
						+ hex.formatHex(chunk.toByteArray()) + "\n")
					.getBytes(StandardCharsets.US_ASCII);
				copy.writeToCopy(row, 0, row.length);
			}
			copy.endCopy();
			connection.commit();
			return lines.size() / ((System.nanoTime() - start) / 1e9);
		}
	}

	/** Iris measurements (the 150 rows of the data set, over and over), one per line. */
	List<String> lines(int items) throws IOException {
		List<String> rows = Files.readAllLines(this.bench.root().resolve("engine/src/main/resources/iris.csv"))
			.stream()
			.skip(1)
			.filter((line) -> !line.isBlank())
			.map((line) -> line.split(","))
			.map((cells) -> "[" + cells[0] + "," + cells[1] + "," + cells[2] + "," + cells[3] + "]")
			.toList();
		List<String> lines = new ArrayList<>(items);
		for (int i = 0; i < items; i++) {
			lines.add(rows.get(i % rows.size()));
		}
		return lines;
	}

}
