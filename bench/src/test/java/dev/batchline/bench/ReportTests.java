package dev.batchline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One run's figures taken into another's report (the run on CPUs of their own), and how
 * figures stand beside their limits.
 */
class ReportTests {

	@Test
	void holdsALatencyToItsBoundWithItsFloorBeside(@TempDir Path dir) throws Exception {
		Report report = new Report();
		report.atMostBeside("7 synchronous inference", "1-row infer p50", Stats.of(List.of(6.0, 8.0, 7.0)),
				Stats.of(List.of(2.0)), "%.1f", 10, "ms");
		report.atMostBeside("7 synchronous inference", "1-row infer p99", Stats.of(List.of(40.0)),
				Stats.of(List.of(4.0)), "%.1f", 30, "ms");
		Path results = dir.resolve("results");
		report.finish(results);

		assertThat(Files.readString(results.resolve("latest.md")))
			.contains("| 7 synchronous inference | 1-row infer p50 | 7.0 (6.0–8.0) ms | 2.0 ms | 3.500 | < 10.0 ms"
					+ " | PASS |")
			.contains("| 7 synchronous inference | 1-row infer p99 | 40.0 ms | 4.0 ms | 10.000 | < 30.0 ms | FAIL |");
	}

	@Test
	void takesInAnotherRunsFiguresAfterItsOwnScenarioOne(@TempDir Path dir) throws Exception {
		Report child = new Report();
		child.ratio("1 worker efficiency", "bench model: pipeline items/s vs DJL predict",
				Stats.of(List.of(27_000.0, 28_000.0, 29_000.0)), Stats.of(List.of(28_000.0)), "%,.0f", "items/s", 0.9);
		child.memory("scenario 1 (bench, warm-up round, draining)", Map.of("worker-2", 700L));
		child.cpu("scenario 1 (bench, draining; median of the measured rounds)", Map.of("workers", 0.99));
		child.note("a note from the other run");
		Path written = dir.resolve("child.json");
		child.write(written);

		Report parent = new Report();
		parent.info("3 small-job latency", "p50", "50 ms");
		parent.info("1 on shared cores", "bench model: pipeline items/s vs DJL predict", "29,000 items/s");
		parent.info("2 intake (NDJSON)", "items/s", "4,000,000 items/s");
		parent.merge(written);
		Path results = dir.resolve("results");
		parent.finish(results);

		String markdown = Files.readString(results.resolve("latest.md"));
		// the other run's row right after this run's scenario 1, before the intake
		assertThat(markdown).containsSubsequence("| 1 on shared cores |",
				"| 1 worker efficiency | bench model: pipeline items/s vs DJL predict | 28,000 (27,000–29,000) items/s"
						+ " | 28,000 items/s | 1.000 | ≥ 0.90 | PASS |",
				"| 2 intake (NDJSON) |");
		assertThat(markdown).contains("- scenario 1 (bench, warm-up round, draining): {worker-2=700}")
			.contains("scenario 1 (bench, draining; median of the measured rounds): workers 0.99")
			.contains("- a note from the other run");
	}

}
