package dev.batchline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Samples the CPU time of the pipeline's processes every 250 ms (Linux {@code /proc}), so
 * that the cores each one used can be read for any span inside the sampling: per process
 * (PostgreSQL with its backends), the workers' threads by what they do (and those of the
 * processes asked for), and the cores left idle. Elsewhere it takes no samples and
 * reports nothing.
 */
final class CpuSampler implements AutoCloseable {

	/** The key under which all workers are added up. */
	static final String WORKERS = "workers";

	/** The key of the cores no process used. */
	static final String IDLE = "idle";

	private static final Path PROC = Path.of("/proc");

	/**
	 * Ticks at one moment: the machine's (all CPUs added up), its idle ones, and each
	 * key's.
	 */
	record Sample(Instant at, long machine, long idle, int cpus, Map<String, Long> ticks) {
	}

	private final Supplier<Map<String, Long>> pids;

	private final Set<String> split;

	private final List<Sample> samples = new ArrayList<>();

	private final Sampling sampling;

	/**
	 * @param pids the processes by name ({@code worker-…} are the workers)
	 * @param split the other processes whose threads are grouped as the workers' are,
	 * under {@code <name>: <threads>}
	 */
	CpuSampler(Supplier<Map<String, Long>> pids, String... split) {
		this.pids = pids;
		this.split = Set.of(split);
		this.sampling = Sampling.every(Duration.ofMillis(250), "cpu-sampler", this::sample);
	}

	private void sample() {
		Optional<Sample> sample = take(this.pids.get(), this.split);
		synchronized (this.samples) {
			sample.ifPresent(this.samples::add);
		}
	}

	/**
	 * Cores used from the first sample at or after {@code from} to the last at or before
	 * {@code to}, by key ({@link #WORKERS}, {@code workers: <threads>}, each other
	 * process by name, {@code <name>: <threads>} for those split, {@link #IDLE}); empty
	 * if fewer than two samples fall in the span.
	 */
	Map<String, Double> cores(Instant from, Instant to) {
		List<Sample> inside;
		synchronized (this.samples) {
			inside = this.samples.stream().filter((s) -> !s.at().isBefore(from) && !s.at().isAfter(to)).toList();
		}
		if (inside.size() < 2) {
			return Map.of();
		}
		return between(inside.get(0), inside.get(inside.size() - 1));
	}

	/** Cores used between two samples, by key. */
	static Map<String, Double> between(Sample first, Sample last) {
		// the machine's ticks add up every CPU: per CPU they are the span's wall ticks
		double wall = (double) (last.machine() - first.machine()) / last.cpus();
		Map<String, Double> cores = new TreeMap<>();
		last.ticks().forEach((key, ticks) -> {
			Long before = first.ticks().get(key);
			if (before == null && key.contains(": ")) {
				// a group of threads that started (or took their name) inside the span
				before = 0L;
			}
			// a process that was gone at one end (a worker stopping) has no figure
			if (before != null && wall > 0 && ticks >= before) {
				cores.put(key, (ticks - before) / wall);
			}
		});
		if (wall > 0) {
			cores.put(IDLE, (last.idle() - first.idle()) / wall);
		}
		return cores;
	}

	/**
	 * Waits until these processes, but those left out, together use at most {@code cores}
	 * over one {@code window}, or until {@code timeout} has passed.
	 * @return the cores they used together in the last window; NaN where there is no
	 * {@code /proc/stat}
	 */
	static double awaitQuiet(Supplier<Map<String, Long>> pids, Set<String> leftOut, double cores, Duration window,
			Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Map<String, Long> watched = new TreeMap<>(pids.get());
			watched.keySet().removeAll(leftOut);
			Optional<Sample> first = take(watched, Set.of());
			Thread.sleep(window.toMillis());
			Optional<Sample> last = take(watched, Set.of());
			if (first.isEmpty() || last.isEmpty()) {
				return Double.NaN;
			}
			double busy = between(first.get(), last.get()).entrySet()
				.stream()
				.filter((e) -> !e.getKey().contains(": ") && !e.getKey().equals(IDLE))
				.mapToDouble(Map.Entry::getValue)
				.sum();
			if (busy <= cores || System.nanoTime() >= deadline) {
				return busy;
			}
		}
	}

	/** Each key's median over several spans' cores. */
	static Map<String, Double> medians(List<Map<String, Double>> spans) {
		Map<String, List<Double>> values = new TreeMap<>();
		spans.forEach((span) -> span
			.forEach((key, cores) -> values.computeIfAbsent(key, (k) -> new ArrayList<>()).add(cores)));
		Map<String, Double> medians = new TreeMap<>();
		values.forEach((key, list) -> medians.put(key, Stats.of(list).median()));
		return medians;
	}

	/**
	 * {@code workers 1.34 (JIT 0.22, …), kafka 0.16, …, idle 0.22}: the workers first
	 * with their threads, the other processes by cores used (with their threads where
	 * split), the idle cores last.
	 */
	static String describe(Map<String, Double> cores) {
		StringBuilder out = new StringBuilder();
		if (cores.containsKey(WORKERS)) {
			out.append(withThreads(cores, WORKERS)).append(", ");
		}
		cores.entrySet()
			.stream()
			.filter((e) -> !e.getKey().equals(WORKERS) && !e.getKey().contains(": ") && !e.getKey().equals(IDLE))
			.sorted(Map.Entry.<String, Double>comparingByValue().reversed())
			.forEach((e) -> out.append(withThreads(cores, e.getKey())).append(", "));
		if (cores.containsKey(IDLE)) {
			out.append(String.format("%s %.2f", IDLE, cores.get(IDLE)));
		}
		return out.toString().replaceAll(", $", "");
	}

	/**
	 * {@code name 1.34}, then {@code (JIT 0.22, …)} when its threads are there too and
	 * used anything.
	 */
	private static String withThreads(Map<String, Double> cores, String name) {
		String prefix = name + ": ";
		String threads = cores.entrySet()
			.stream()
			// a group that used nothing (the threads of a suspended worker) is left out
			.filter((e) -> e.getKey().startsWith(prefix) && e.getValue() >= 0.005)
			.sorted(Map.Entry.<String, Double>comparingByValue().reversed())
			.map((e) -> String.format("%s %.2f", e.getKey().substring(prefix.length()), e.getValue()))
			.collect(Collectors.joining(", "));
		return String.format("%s %.2f", name, cores.get(name)) + (threads.isEmpty() ? "" : " (" + threads + ")");
	}

	@Override
	public void close() {
		this.sampling.close();
	}

	/**
	 * A sample of these processes now, the threads of the workers and of those in
	 * {@code split} grouped; empty where there is no {@code /proc/stat}.
	 */
	static Optional<Sample> take(Map<String, Long> pids, Set<String> split) {
		Instant at = Instant.now();
		long machine = 0;
		long idle = 0;
		int cpus = 0;
		try {
			for (String line : Files.readAllLines(PROC.resolve("stat"))) {
				if (line.startsWith("cpu ")) {
					String[] fields = line.substring(4).strip().split("\\s+");
					// user, nice, system, idle, iowait, irq, softirq, steal (guest
					// time is counted in user already)
					for (int i = 0; i < Math.min(8, fields.length); i++) {
						machine += Long.parseLong(fields[i]);
					}
					// idle and iowait
					idle = Long.parseLong(fields[3]) + Long.parseLong(fields[4]);
				}
				else if (line.matches("cpu\\d+ .*")) {
					cpus++;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
		Map<String, Long> ticks = new TreeMap<>();
		pids.forEach((name, pid) -> {
			String stat = read(stat(pid));
			if (stat == null) {
				return;
			}
			if (name.startsWith("worker")) {
				// the process's own figure also holds the threads that have ended
				ticks.merge(WORKERS, ticks(stat), Long::sum);
				threadTicks(pid).forEach((group, value) -> ticks.merge(WORKERS + ": " + group, value, Long::sum));
			}
			else if ("postgresql".equals(name)) {
				// the postmaster's figure with its ended children's (backends that
				// exited), and each running backend's
				long total = ticks(stat) + childTicks(stat);
				List<Long> tree = Sampling.withDescendants(pid);
				for (long backend : tree.subList(1, tree.size())) {
					String backendStat = read(stat(backend));
					total += (backendStat != null) ? ticks(backendStat) : 0;
				}
				ticks.put(name, total);
			}
			else {
				ticks.put(name, ticks(stat));
				if (split.contains(name)) {
					threadTicks(pid).forEach((group, value) -> ticks.merge(name + ": " + group, value, Long::sum));
				}
			}
		});
		return Optional.of(new Sample(at, machine, idle, Math.max(1, cpus), ticks));
	}

	/** A process's threads' ticks by {@link #group(String)}. */
	static Map<String, Long> threadTicks(long pid) {
		Map<String, Long> groups = new TreeMap<>();
		try (Stream<Path> threads = Files.list(PROC.resolve(Long.toString(pid)).resolve("task"))) {
			for (Path thread : threads.toList()) {
				String stat = read(thread.resolve("stat"));
				if (stat != null) {
					String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
					groups.merge(group(name), ticks(stat), Long::sum);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// the process has gone (a worker stopping): no sample
		}
		return groups;
	}

	/**
	 * What a worker thread does, from its name as {@code /proc} gives it (15 characters
	 * at most). TensorFlow's threads take the name of the thread that made them, the
	 * process's main thread: {@code java} (the main thread itself has that name too). The
	 * bench's raw predict loop counts as inference.
	 */
	static String group(String thread) {
		if (thread.equals("java")) {
			return "unnamed (TensorFlow)";
		}
		if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
			return "JIT";
		}
		if (thread.startsWith("GC Thread") || thread.startsWith("G1 ")) {
			return "GC";
		}
		if (thread.startsWith("chunk-worker")) {
			return "consumer";
		}
		if (thread.startsWith("inference-") || thread.startsWith("raw-predict-")) {
			return "inference";
		}
		if (thread.startsWith("kafka-")) {
			return "Kafka clients";
		}
		return "other";
	}

	private static Path stat(long pid) {
		return PROC.resolve(Long.toString(pid)).resolve("stat");
	}

	/** utime + stime of one {@code stat} line (fields 14 and 15). */
	static long ticks(String stat) {
		String[] fields = afterName(stat);
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	/**
	 * cutime + cstime (fields 16 and 17): the children that have ended and been waited
	 * for.
	 */
	static long childTicks(String stat) {
		String[] fields = afterName(stat);
		return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
	}

	/** The fields after the name, which may hold spaces and parentheses: field 3 on. */
	private static String[] afterName(String stat) {
		return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			return null;
		}
	}

}
