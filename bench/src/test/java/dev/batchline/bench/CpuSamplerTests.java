package dev.batchline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The cores a process and its threads used, read from this JVM's own {@code /proc}. */
class CpuSamplerTests {

	@Test
	void groupsWorkerThreadsByWhatTheyDo() {
		assertThat(CpuSampler.group("java")).isEqualTo("unnamed (TensorFlow)");
		assertThat(CpuSampler.group("C2 CompilerThre")).isEqualTo("JIT");
		assertThat(CpuSampler.group("C1 CompilerThre")).isEqualTo("JIT");
		assertThat(CpuSampler.group("G1 Conc#0")).isEqualTo("GC");
		assertThat(CpuSampler.group("GC Thread#1")).isEqualTo("GC");
		assertThat(CpuSampler.group("chunk-worker-0-")).isEqualTo("consumer");
		assertThat(CpuSampler.group("inference-0")).isEqualTo("inference");
		assertThat(CpuSampler.group("kafka-producer-")).isEqualTo("Kafka clients");
		assertThat(CpuSampler.group("http-nio-8080-e")).isEqualTo("other");
	}

	@Test
	void readsUserAndSystemTicksAfterANameWithSpacesAndParentheses() {
		// fields after the name: state, ppid, … utime (14th of the line), stime (15th)
		String stat = "42 (C2 (Compiler) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 30 0";
		assertThat(CpuSampler.ticks(stat)).isEqualTo(267);
	}

	@Test
	void measuresTheCoresABusyThreadUses() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/self/task"))).isTrue();
		long self = ProcessHandle.current().pid();
		Map<String, Long> pids = Map.of("worker-1", self, "bench", self);
		Instant from = Instant.now();
		try (CpuSampler sampler = new CpuSampler(() -> pids)) {
			Thread busy = Thread.ofPlatform().name("inference-0").start(() -> {
				long end = System.nanoTime() + 1_500_000_000L;
				long sink = 0;
				while (System.nanoTime() < end) {
					sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
				}
				assertThat(sink).isNotNegative();
			});
			busy.join();
			Map<String, Double> cores = sampler.cores(from, Instant.now());
			// one thread busy for the whole span: about one core, in its own group
			assertThat(cores.get("workers: inference")).isCloseTo(1.0, within(0.25));
			assertThat(cores.get("workers")).isGreaterThanOrEqualTo(cores.get("workers: inference"));
			assertThat(cores.get("bench")).isCloseTo(cores.get("workers"), within(0.2));
			assertThat(cores.get("idle")).isBetween(0.0, (double) Runtime.getRuntime().availableProcessors());
			// the workers first, their busiest threads first; the idle cores last
			assertThat(CpuSampler.describe(cores)).matches(
					"workers \\d\\.\\d\\d \\(inference \\d\\.\\d\\d, .*\\), bench \\d\\.\\d\\d, idle \\d\\.\\d\\d");
		}
	}

	@Test
	void addsUpNothingOutsideTheSamples() {
		try (CpuSampler sampler = new CpuSampler(Map::of)) {
			assertThat(sampler.cores(Instant.EPOCH, Instant.EPOCH.plusSeconds(1))).isEmpty();
		}
	}

}
