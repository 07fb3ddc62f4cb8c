package dev.batchline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Samples the memory of the pipeline's processes every 200 ms while it runs and keeps
 * each one's peak: RSS for a JVM; for PostgreSQL the PSS summed over the postmaster and
 * its backends (their RSS would count the shared buffers once per backend).
 */
final class MemorySampler implements AutoCloseable {

	private final Supplier<Map<String, Long>> pids;

	private final Map<String, Long> peaksKb = new ConcurrentHashMap<>();

	private final Sampling sampling;

	MemorySampler(Supplier<Map<String, Long>> pids) {
		this.pids = pids;
		this.sampling = Sampling.every(Duration.ofMillis(200), "memory-sampler", this::sample);
	}

	private void sample() {
		this.pids.get().forEach((name, pid) -> {
			long kb = "postgresql".equals(name) ? pssOfTree(pid) : statusKb(pid, "VmRSS:");
			if (kb > 0) {
				this.peaksKb.merge(name, kb, Math::max);
			}
		});
	}

	/** Stops sampling; returns the peaks in MB by process name. */
	Map<String, Long> peaksMb() {
		close();
		Map<String, Long> mb = new TreeMap<>();
		this.peaksKb.forEach((name, kb) -> mb.put(name, kb / 1024));
		return mb;
	}

	@Override
	public void close() {
		this.sampling.close();
	}

	private static long pssOfTree(long pid) {
		long total = 0;
		for (long process : Sampling.withDescendants(pid)) {
			total += Math.max(0, rollupKb(process, "Pss:"));
		}
		return total;
	}

	private static long statusKb(long pid, String field) {
		return field(Path.of("/proc", Long.toString(pid), "status"), field);
	}

	private static long rollupKb(long pid, String field) {
		return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), field);
	}

	private static long field(Path file, String field) {
		try {
			for (String line : Files.readAllLines(file)) {
				if (line.startsWith(field)) {
					return Long.parseLong(line.replaceAll("\\D", ""));
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// the process has gone (a worker stopping): no sample
		}
		return -1;
	}

}
