package dev.batchline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
		assertThat(CpuSampler.group("raw-predict-0")).isEqualTo("inference");
		assertThat(CpuSampler.group("kafka-producer-")).isEqualTo("Kafka clients");
		assertThat(CpuSampler.group("http-nio-8080-e")).isEqualTo("other");
	}

	@Test
	void readsUserAndSystemTicksAfterANameWithSpacesAndParentheses() {
		// fields after the name: state, ppid, … utime (14th of the line), stime (15th),
		// cutime, cstime
		String stat = "42 (C2 (Compiler) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 8 3 20 0 30 0";
		assertThat(CpuSampler.ticks(stat)).isEqualTo(267);
		assertThat(CpuSampler.childTicks(stat)).isEqualTo(11);
	}

	@Test
	void measuresTheCoresABusyThreadUses() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/self/task"))).isTrue();
		long self = ProcessHandle.current().pid();
		Map<String, Long> pids = Map.of("worker-1", self, "bench", self);
		try (CpuSampler sampler = new CpuSampler(() -> pids)) {
			Map<String, Double> cores = coresWhileBusy(sampler, "inference-0");
			// one thread busy for the whole span: up to one core, in its own group
			assertThat(cores.get("workers: inference")).isBetween(0.5, 1.1);
			assertThat(cores.get("workers")).isGreaterThanOrEqualTo(cores.get("workers: inference"));
			assertThat(cores.get("bench")).isCloseTo(cores.get("workers"), within(0.2));
			assertThat(cores.get("idle")).isBetween(0.0, (double) Runtime.getRuntime().availableProcessors());
			// the workers first, their busiest threads first; the idle cores last
			assertThat(CpuSampler.describe(cores)).matches(
					"workers \\d\\.\\d\\d \\(inference \\d\\.\\d\\d, .*\\), bench \\d\\.\\d\\d, idle \\d\\.\\d\\d");
		}
	}

	@Test
	void groupsTheThreadsOfAProcessAskedFor() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/self/task"))).isTrue();
		Map<String, Long> pids = Map.of("bench", ProcessHandle.current().pid());
		try (CpuSampler sampler = new CpuSampler(() -> pids, "bench")) {
			Map<String, Double> cores = coresWhileBusy(sampler, "raw-predict-0");
			assertThat(cores.get("bench: inference")).isBetween(0.5, 1.1);
			assertThat(cores.get("bench")).isGreaterThanOrEqualTo(cores.get("bench: inference"));
			assertThat(CpuSampler.describe(cores))
				.matches("bench \\d\\.\\d\\d \\(inference \\d\\.\\d\\d, .*\\), idle \\d\\.\\d\\d");
		}
	}

	@Test
	void waitsUntilTheProcessesRest() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/stat"))).isTrue();
		Map<String, Long> pids = Map.of("bench", ProcessHandle.current().pid());
		long start = System.nanoTime();
		double busy = CpuSampler.awaitQuiet(() -> pids, Set.of(), 0.3, Duration.ofMillis(250), Duration.ofSeconds(20));
		assertThat(busy).isLessThanOrEqualTo(0.3);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
	}

	@Test
	void givesUpWaitingWhileAProcessStaysBusyButNotForOneLeftOut() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/stat"))).isTrue();
		Map<String, Long> pids = Map.of("bench", ProcessHandle.current().pid());
		try (AutoCloseable spinning = busyThread("spinning")) {
			long start = System.nanoTime();
			double busy = CpuSampler.awaitQuiet(() -> pids, Set.of(), 0.3, Duration.ofMillis(250),
					Duration.ofSeconds(1));
			assertThat(busy).isGreaterThan(0.5);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
			assertThat(CpuSampler.awaitQuiet(() -> pids, Set.of("bench"), 0.3, Duration.ofMillis(250),
					Duration.ofSeconds(1)))
				.isZero();
		}
	}

	/** The sampler's cores over 1.5 s in which a thread of that name spins. */
	private static Map<String, Double> coresWhileBusy(CpuSampler sampler, String thread) throws Exception {
		try (AutoCloseable spinning = busyThread(thread)) {
			Instant from = Instant.now();
			Thread.sleep(1500);
			// read while the thread still runs: its ticks are in every sample
			return sampler.cores(from, Instant.now());
		}
	}

	/** A thread of that name that spins until closed, running once this returns. */
	private static AutoCloseable busyThread(String name) throws InterruptedException {
		AtomicBoolean busy = new AtomicBoolean(true);
		CountDownLatch running = new CountDownLatch(1);
		Thread.ofPlatform().name(name).start(() -> {
			running.countDown();
			long sink = 0;
			while (busy.get()) {
				sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
			}
		});
		// a thread takes its name in /proc once it runs: a sample before that would count
		// it under another group, and a span would have no figure for this one
		if (!running.await(10, TimeUnit.SECONDS)) {
			busy.set(false);
			throw new IllegalStateException("The busy thread did not start");
		}
		return () -> busy.set(false);
	}

	@Test
	void countsOnlyTheSamplesInsideTheSpan() throws Exception {
		assumeThat(Files.exists(Path.of("/proc/stat"))).isTrue();
		Instant before = Instant.now();
		Thread.sleep(50);
		Instant started = Instant.now();
		try (CpuSampler sampler = new CpuSampler(Map::of)) {
			Thread.sleep(700);
			assertThat(sampler.cores(before, started)).isEmpty();
			assertThat(sampler.cores(started, Instant.now())).containsKey("idle");
		}
	}

	@Test
	void leavesOutAProcessGoneAtOneEnd() {
		CpuSampler.Sample first = new CpuSampler.Sample(Instant.EPOCH, 1000, 500, 2,
				Map.of("kafka", 300L, "gone", 90L));
		CpuSampler.Sample last = new CpuSampler.Sample(Instant.EPOCH.plusSeconds(1), 1200, 550, 2,
				Map.of("kafka", 350L, "gone", 0L));
		// 200 ticks over 2 CPUs: 100 ticks of wall time
		assertThat(CpuSampler.between(first, last)).containsOnlyKeys("kafka", "idle")
			.containsEntry("kafka", 0.5)
			.containsEntry("idle", 0.5);
	}

	@Test
	void countsAGroupOfThreadsThatStartedInsideTheSpanFromZero() {
		// the raw limit's predict threads start after the round's first sample
		CpuSampler.Sample first = new CpuSampler.Sample(Instant.EPOCH, 1000, 500, 2, Map.of("bench", 100L));
		CpuSampler.Sample last = new CpuSampler.Sample(Instant.EPOCH.plusSeconds(1), 1200, 550, 2,
				Map.of("bench", 180L, "bench: inference", 60L));
		assertThat(CpuSampler.between(first, last)).containsEntry("bench", 0.8).containsEntry("bench: inference", 0.6);
	}

}
