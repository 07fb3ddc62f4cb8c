package dev.batchline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.batchline.launcher.Console;

/**
 * Scenario 1 with the workers on CPUs of their own and the raw limit on the others
 * ({@code --worker-cpus}, the upper half of the CPUs for the workers): a second bench JVM
 * with a pipeline of its own, started after this run's pipeline has stopped, whose
 * figures go into this run's report. Both sides of its ratio then have as many CPUs, the
 * worker's not shared with PostgreSQL, Kafka and the api-service, so it is the one held
 * to the target; the run on shared cores is reported beside it.
 */
final class OwnCpus {

	/**
	 * The option that has a bench JVM write its figures to a file for another's report.
	 */
	static final String CHILD_REPORT = "--child-report";

	/**
	 * Consumer threads per worker unless {@code --concurrency} says otherwise: the
	 * setting for workers on CPUs of their own (docs/operations.md).
	 */
	static final String CONCURRENCY = "2";

	private OwnCpus() {
	}

	/**
	 * Runs the second bench JVM and merges its figures into {@code report}.
	 * @param arguments this run's arguments ({@code --quick}, {@code --rounds},
	 * {@code --batch}, {@code --workers}, {@code --concurrency}, {@code --keep} are
	 * passed on)
	 * @param work this run's work folder (the figures are written there)
	 * @return the exit status: 0, or 1 when that run failed
	 */
	static int run(CpuSplit split, List<String> arguments, Path work, Report report)
			throws IOException, InterruptedException {
		Path written = work.resolve("own-cpus.json");
		Files.createDirectories(work);
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current()
			.info()
			.command()
			.orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
		command.addAll(jvmOptions());
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(Benchmark.class.getName());
		command.addAll(List.of("--only", "1", "--worker-cpus", split.workers(), "--concurrency",
				Benchmark.value(arguments, "--concurrency", CONCURRENCY), CHILD_REPORT, written.toString()));
		for (String option : List.of("--rounds", "--batch", "--workers")) {
			String given = Benchmark.value(arguments, option, null);
			if (given != null) {
				command.add(option);
				command.add(given);
			}
		}
		for (String flag : List.of("--quick", "--keep")) {
			if (arguments.contains(flag)) {
				command.add(flag);
			}
		}
		Console.step("Scenario 1 again with the workers on CPU(s) " + split.workers() + " and everything else on "
				+ split.others() + " (a bench JVM and a pipeline of their own)");
		Process child = new ProcessBuilder(command).inheritIO().start();
		// Ctrl-C: the child stops its pipeline as this JVM does
		Thread stop = new Thread(child::destroy, "bench-own-cpus-stop");
		Runtime.getRuntime().addShutdownHook(stop);
		int exit = child.waitFor();
		try {
			Runtime.getRuntime().removeShutdownHook(stop);
		}
		catch (IllegalStateException ex) {
			// this JVM is stopping already
		}
		if (exit != 0 || !Files.exists(written)) {
			report.note("Scenario 1 with the workers on CPUs of their own failed (exit " + exit
					+ "): its figures are missing");
			return 1;
		}
		report.merge(written);
		return 0;
	}

	/**
	 * This JVM's options, but those from JAVA_TOOL_OPTIONS: the child reads those itself.
	 */
	private static List<String> jvmOptions() {
		List<String> options = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
		String tool = System.getenv("JAVA_TOOL_OPTIONS");
		if (tool != null && !tool.isBlank()) {
			for (String option : tool.strip().split("\\s+")) {
				options.remove(option);
			}
		}
		return options;
	}

}
