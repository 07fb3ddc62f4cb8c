package dev.batchline.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code --worker-cpus}: the workers on CPUs of their own, everything else (this JVM,
 * PostgreSQL, Kafka, the api-service, the dispatcher, and with this JVM the raw DJL
 * limit) on the others, as when workers run on machines of their own. Linux only, through
 * {@code taskset} (util-linux): this JVM moves itself at once, before it loads TensorFlow
 * or starts anything, so that every process it starts inherits the other CPUs; each
 * worker is started through {@code taskset -c <worker cpus>}. Both sides get as many
 * CPUs, so the raw limit has as many as the workers.
 *
 * @param workers the workers' CPUs, as {@code taskset -c} takes them
 * @param others the other CPUs, the same way
 */
record CpuSplit(String workers, String others) {

	/**
	 * Parses a CPU list ({@code 1}, {@code 2-3}, {@code 0,2}) and checks it against the
	 * CPUs this JVM may use.
	 * @param list the workers' CPUs
	 * @param allowed the CPUs this JVM may use, the same way (see {@link #allowedCpus()})
	 * @throws IllegalArgumentException when the list is malformed, names a CPU this JVM
	 * may not use, or leaves the others a different number of CPUs
	 */
	static CpuSplit of(String list, String allowed) {
		TreeSet<Integer> chosen = parse("--worker-cpus", list);
		TreeSet<Integer> usable = parse("the CPUs this JVM may use,", allowed);
		if (chosen.isEmpty() || !usable.containsAll(chosen)) {
			throw new IllegalArgumentException(
					"--worker-cpus " + list + ": this JVM may use CPUs " + join(usable) + " (taskset -c syntax)");
		}
		TreeSet<Integer> rest = new TreeSet<>(usable);
		rest.removeAll(chosen);
		if (rest.size() != chosen.size()) {
			throw new IllegalArgumentException("--worker-cpus " + list + " leaves " + rest.size()
					+ " CPU(s) for the rest: give the workers half of the " + usable.size()
					+ " CPUs, so that the raw limit (on the other half) has as many as they have");
		}
		return new CpuSplit(join(chosen), join(rest));
	}

	/**
	 * The CPUs this JVM may use split in two halves, the workers on the upper one; empty
	 * where they cannot be split (fewer than two, an odd number, not Linux, no
	 * {@code taskset} on the {@code PATH}).
	 */
	static Optional<CpuSplit> halves() {
		try {
			return onPath("taskset") ? halves(allowedCpus()) : Optional.empty();
		}
		catch (IOException | IllegalStateException ex) {
			return Optional.empty();
		}
	}

	/**
	 * These CPUs in two halves, the workers on the upper one; empty for fewer than two or
	 * an odd number.
	 * @param allowed the CPUs, as {@code taskset -c} takes them
	 */
	static Optional<CpuSplit> halves(String allowed) {
		List<Integer> usable = new ArrayList<>(parse("the CPUs this JVM may use,", allowed));
		if (usable.size() < 2 || usable.size() % 2 != 0) {
			return Optional.empty();
		}
		int half = usable.size() / 2;
		return Optional.of(new CpuSplit(join(new TreeSet<>(usable.subList(half, usable.size()))),
				join(new TreeSet<>(usable.subList(0, half)))));
	}

	private static boolean onPath(String command) {
		String path = System.getenv("PATH");
		return path != null && Stream.of(path.split(File.pathSeparator))
			.filter((dir) -> !dir.isBlank())
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, command)));
	}

	/**
	 * The CPUs this JVM may use ({@code Cpus_allowed_list} of {@code /proc/self/status}).
	 * @throws IllegalStateException when there is no such file (not Linux)
	 */
	static String allowedCpus() throws IOException {
		Path status = Path.of("/proc/self/status");
		if (!Files.isReadable(status)) {
			throw new IllegalStateException("--worker-cpus needs Linux (no " + status + ")");
		}
		for (String line : Files.readAllLines(status)) {
			if (line.startsWith("Cpus_allowed_list:")) {
				return line.substring(line.indexOf(':') + 1).strip();
			}
		}
		throw new IllegalStateException("--worker-cpus: no Cpus_allowed_list in " + status);
	}

	/** The words before a worker's {@code java}. */
	List<String> workerPrefix() {
		return List.of("taskset", "-c", this.workers);
	}

	/** Moves every thread of this JVM to the other CPUs. */
	void pinThisJvm() throws IOException, InterruptedException {
		Process taskset = new ProcessBuilder("taskset", "-a", "-c", "-p", this.others,
				Long.toString(ProcessHandle.current().pid()))
			.redirectErrorStream(true)
			.start();
		String out = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (taskset.waitFor() != 0) {
			throw new IllegalStateException("taskset failed (--worker-cpus needs Linux and util-linux): " + out);
		}
	}

	private static TreeSet<Integer> parse(String what, String list) {
		TreeSet<Integer> cpus = new TreeSet<>();
		for (String part : list.split(",")) {
			String[] range = part.strip().split("-", -1);
			try {
				int from = Integer.parseInt(range[0]);
				int to = (range.length == 2) ? Integer.parseInt(range[1]) : from;
				if (range.length > 2 || from < 0 || to < from) {
					throw new NumberFormatException(part);
				}
				for (int cpu = from; cpu <= to; cpu++) {
					cpus.add(cpu);
				}
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException(what + " " + list + ": not a CPU list such as 1, 2-3 or 0,2");
			}
		}
		return cpus;
	}

	private static String join(TreeSet<Integer> cpus) {
		return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
	}

}
