package dev.batchline.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;

/**
 * The root's {@code docker-compose.yml} with {@code compose.debian.yml} as a
 * podman-compose project: every command it runs goes to
 * {@code system-tests/target/compose/commands.log}, and a command that fails throws with
 * the end of its output. podman-compose 1.0 runs the file's containers but neither waits
 * for their healthchecks ({@code depends_on} conditions) nor reads {@code --scale} or
 * {@code stop_grace_period}: {@link #awaitHealthy} runs a container's own healthcheck
 * until it passes, replicas come from {@code deploy.replicas}
 * ({@code BATCHLINE_WORKERS}), and stops name their timeout.
 */
final class ComposeStack {

	private static final Logger log = LoggerFactory.getLogger(ComposeStack.class);

	/**
	 * The longest one {@code podman healthcheck run} may take (its check's own limit is 3
	 * s).
	 */
	private static final Duration HEALTHCHECK_RUN_TIMEOUT = Duration.ofSeconds(20);

	private final Path root;

	private final String project;

	private final Map<String, String> environment;

	private final Path commandLog;

	ComposeStack(Path root, String project, Map<String, String> environment) {
		this.root = root;
		this.project = project;
		this.environment = new java.util.HashMap<>(environment);
		this.commandLog = root.resolve("system-tests/target/compose/commands.log");
		try {
			Files.createDirectories(this.commandLog.getParent());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sets a variable of the environment the compose commands run in from now on. */
	void set(String name, String value) {
		this.environment.put(name, value);
	}

	/** Whether a command is on the PATH. */
	static boolean onPath(String command) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, command))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * {@code podman-compose -p <project> -f docker-compose.yml -f compose.debian.yml
	 * <arguments>}, with the stack's environment.
	 */
	String compose(Duration timeout, Map<String, String> extraEnvironment, String... arguments) {
		List<String> command = new ArrayList<>(
				List.of("podman-compose", "-p", this.project, "-f", "docker-compose.yml", "-f", "compose.debian.yml"));
		command.addAll(List.of(arguments));
		return run(command, extraEnvironment, timeout);
	}

	String compose(Duration timeout, String... arguments) {
		return compose(timeout, Map.of(), arguments);
	}

	/** A command run in the repository's root; it must succeed. */
	String run(Duration timeout, String... command) {
		return run(List.of(command), Map.of(), timeout);
	}

	/** A podman command; it must succeed. */
	String podman(Duration timeout, String... arguments) {
		List<String> command = new ArrayList<>(List.of("podman"));
		command.addAll(List.of(arguments));
		return run(command, Map.of(), timeout);
	}

	/** The name podman-compose gives a service's n-th container. */
	String container(String service, int number) {
		return this.project + "_" + service + "_" + number;
	}

	/**
	 * The address of this host on the project's network: host.containers.internal there.
	 */
	String gateway() {
		return podman(Duration.ofSeconds(30), "network", "inspect", this.project + "_default", "--format",
				"{{range .Subnets}}{{.Gateway}}{{end}}")
			.strip();
	}

	/** A running container's state, e.g. {@code running} or {@code exited}. */
	String state(String container) {
		return podman(Duration.ofSeconds(30), "inspect", container, "--format", "{{.State.Status}}").strip();
	}

	int exitCode(String container) {
		return Integer
			.parseInt(podman(Duration.ofSeconds(30), "inspect", container, "--format", "{{.State.ExitCode}}").strip());
	}

	String logs(String container) {
		return podman(Duration.ofSeconds(30), "logs", container);
	}

	/**
	 * Runs a container's own healthcheck (the compose file's) until it passes; a
	 * container that exits fails at once, with its log. A {@code podman healthcheck run}
	 * that hangs (podman's exec into a busy container, seen once in CI past its 3 s check
	 * timeout) counts as one failed check: it is stopped and run again.
	 */
	void awaitHealthy(String container, Duration timeout) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofSeconds(2)).until(() -> {
				if (healthcheckPasses(container)) {
					return true;
				}
				if (!"running".equals(state(container))) {
					throw new IllegalStateException(
							container + " stopped before it was healthy; its log ends:\n" + tail(logs(container), 60));
				}
				return false;
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException(
					container + " not healthy after " + timeout + "; its log ends:\n" + tail(logs(container), 60), ex);
		}
	}

	private boolean healthcheckPasses(String container) {
		try {
			return exec(List.of("podman", "healthcheck", "run", container), Map.of(), HEALTHCHECK_RUN_TIMEOUT)
				.exitCode() == 0;
		}
		catch (CommandTimeoutException ex) {
			log.warn("{}: {}", container, ex.getMessage());
			return false;
		}
	}

	/** Saves every container's log of the project under target/compose/logs. */
	void saveLogs() {
		Path dir = this.commandLog.resolveSibling("logs");
		try {
			Files.createDirectories(dir);
			String names = podman(Duration.ofSeconds(30), "ps", "-a", "--filter",
					"label=io.podman.compose.project=" + this.project, "--format", "{{.Names}}");
			for (String name : names.lines().filter((line) -> !line.isBlank()).toList()) {
				Files.writeString(dir.resolve(name + ".log"), logs(name));
			}
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Could not save the containers' logs: {}", ex.toString());
		}
	}

	private String run(List<String> command, Map<String, String> extraEnvironment, Duration timeout) {
		Result result = exec(command, extraEnvironment, timeout);
		if (result.exitCode() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " exited with " + result.exitCode()
					+ "; its output ends:\n" + tail(result.output(), 40));
		}
		return result.output();
	}

	private Result exec(List<String> command, Map<String, String> extraEnvironment, Duration timeout) {
		try {
			Path output = Files.createTempFile(this.commandLog.getParent(), "command", ".out");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).directory(this.root.toFile())
					.redirectErrorStream(true)
					.redirectOutput(output.toFile());
				builder.environment().putAll(this.environment);
				builder.environment().putAll(extraEnvironment);
				long start = System.nanoTime();
				Process process = builder.start();
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					process.descendants().forEach(ProcessHandle::destroy);
					process.destroy();
					process.waitFor(10, TimeUnit.SECONDS);
					throw new CommandTimeoutException(String.join(" ", command) + " did not finish in " + timeout
							+ "; its output ends:\n" + tail(Files.readString(output), 40));
				}
				String text = Files.readString(output);
				Files.writeString(this.commandLog,
						"$ " + String.join(" ", command) + "   (exit " + process.exitValue() + ", "
								+ (System.nanoTime() - start) / 1_000_000 + " ms)\n" + text + "\n",
						StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
				return new Result(process.exitValue(), text);
			}
			finally {
				Files.deleteIfExists(output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	static String tail(String text, int lines) {
		List<String> all = text.lines().toList();
		return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
	}

	/** A command that did not finish in its time; it was stopped. */
	private static final class CommandTimeoutException extends IllegalStateException {

		CommandTimeoutException(String message) {
			super(message);
		}

	}

	private record Result(int exitCode, String output) {
	}

}
