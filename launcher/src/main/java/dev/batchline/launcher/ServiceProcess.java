package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Batchline service ({@code <module>/target/<module>-<version>.jar}) running as its
 * own JVM, configured through environment variables exactly as an operator would, with
 * its output in a log file of its own.
 */
public final class ServiceProcess implements AutoCloseable {

	/**
	 * How long a service may take to become ready ({@code BATCHLINE_READY_TIMEOUT}, an
	 * ISO duration such as {@code PT6M}): JVMs start slowly on a busy shared machine.
	 */
	private static final Duration READY_TIMEOUT = Optional.ofNullable(System.getenv("BATCHLINE_READY_TIMEOUT"))
		.map(Duration::parse)
		.orElse(Duration.ofSeconds(180));

	/** The environment variable of Actuator's port ({@code management.server.port}). */
	public static final String MANAGEMENT_PORT = "MANAGEMENT_SERVER_PORT";

	/** The environment variable of the gRPC port ({@code spring.grpc.server.port}). */
	public static final String GRPC_PORT = "SPRING_GRPC_SERVER_PORT";

	/**
	 * JVM options for every service this JVM starts, and for the embedded Kafka broker
	 * ({@code batchline.service.jvm-options}, separated by spaces): the system tests
	 * start theirs with {@code -XX:TieredStopAtLevel=1}.
	 */
	static final List<String> JVM_OPTIONS = Arrays
		.stream(System.getProperty("batchline.service.jvm-options", "").split(" "))
		.filter((option) -> !option.isBlank())
		.toList();

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

	private static final Duration RECORDING_STOP_TIMEOUT = Duration.ofSeconds(180);

	/**
	 * Where {@link #freePort()} starts looking: above the well-known and most fixed
	 * ports.
	 */
	private static final int LOWEST_PORT = 10_000;

	private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String name;

	private final int port;

	private final int grpcPort;

	private final int managementPort;

	private final Process process;

	private final Path log;

	private final Duration stopTimeout;

	/** Guarded by this: only {@link #suspend()} and {@link #resume()} touch it. */
	private boolean suspended;

	private ServiceProcess(String name, int port, int grpcPort, int managementPort, Process process, Path log,
			Duration stopTimeout) {
		this.stopTimeout = stopTimeout;
		this.name = name;
		this.port = port;
		this.grpcPort = grpcPort;
		this.managementPort = managementPort;
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts a service.
	 * @param jar the service's jar
	 * @param name a name for its log file
	 * @param port its HTTP port (0 for a free one)
	 * @param env its environment (SPRING_*, BATCHLINE_*)
	 * @param logDir where its log goes ({@code <name>.log})
	 * @return the running service, not yet ready
	 */
	public static ServiceProcess start(Path jar, String name, int port, Map<String, String> env, Path logDir) {
		return start(List.of(), jar, name, port, env, logDir);
	}

	/**
	 * Starts a service through a command that runs the rest of the command line in its
	 * place, e.g. {@code taskset -c 1}.
	 * @param prefix the words before {@code java} (none for a plain start)
	 * @param jar the service's jar
	 * @param name a name for its log file
	 * @param port its HTTP port (0 for a free one)
	 * @param env its environment (SPRING_*, BATCHLINE_*)
	 * @param logDir where its log goes ({@code <name>.log})
	 * @return the running service, not yet ready
	 */
	public static ServiceProcess start(List<String> prefix, Path jar, String name, int port, Map<String, String> env,
			Path logDir) {
		return start(prefix, jar, name, port, env, logDir, AotCache.Mode.USE);
	}

	/**
	 * Starts a service, on its AOT cache or recording it, or without.
	 * @param prefix the words before {@code java} (none for a plain start)
	 * @param jar the service's jar
	 * @param name a name for its log file
	 * @param port its HTTP port (0 for a free one)
	 * @param env its environment (SPRING_*, BATCHLINE_*)
	 * @param logDir where its log goes ({@code <name>.log})
	 * @param aot what to do with the jar's {@link AotCache}
	 * @return the running service, not yet ready
	 */
	public static ServiceProcess start(List<String> prefix, Path jar, String name, int port, Map<String, String> env,
			Path logDir, AotCache.Mode aot) {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: build the services first (./mvnw package)");
		}
		int chosen = (port > 0) ? port : freePort();
		// a gRPC port of its own too (the api-service serves gRPC; the others ignore it),
		// so that several services on one machine do not all ask for 9090
		int grpc = env.containsKey(GRPC_PORT) ? Integer.parseInt(env.get(GRPC_PORT)) : freePort();
		// and Actuator on a port of its own, as the api-service's is in production
		int management = env.containsKey(MANAGEMENT_PORT) ? Integer.parseInt(env.get(MANAGEMENT_PORT)) : freePort();
		Path log = logDir.resolve(name + ".log");
		try {
			Files.createDirectories(logDir);
			List<String> command = new ArrayList<>(prefix);
			command.addAll(List.of(javaExecutable(), "-Xmx512m", "--enable-native-access=ALL-UNNAMED"));
			command.addAll(JVM_OPTIONS);
			command.addAll(AotCache.of(jar).options(aot));
			command.addAll(List.of("-jar", ExtractedJar.of(jar).toString()));
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
			builder.environment().putAll(env);
			builder.environment().put("SERVER_PORT", Integer.toString(chosen));
			builder.environment().put(GRPC_PORT, Integer.toString(grpc));
			builder.environment().put(MANAGEMENT_PORT, Integer.toString(management));
			builder.environment().putIfAbsent("TF_ENABLE_ONEDNN_OPTS", "0");
			builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
			// a recording JVM writes its cache as it exits
			Duration stopTimeout = (aot == AotCache.Mode.RECORD) ? RECORDING_STOP_TIMEOUT : STOP_TIMEOUT;
			return new ServiceProcess(name, chosen, grpc, management, builder.start(), log, stopTimeout);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name, ex);
		}
	}

	/**
	 * A module's packaged jar under {@code <root>/<module>/target}.
	 * @throws IllegalStateException when it was not built
	 */
	static Path jar(Path root, String module) {
		Path target = root.resolve(module).resolve("target");
		try (Stream<Path> files = Files.list(target)) {
			return files
				.filter((path) -> path.getFileName()
					.toString()
					.matches(java.util.regex.Pattern.quote(module) + "-.*\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("No " + module + " jar in " + target));
		}
		catch (IOException ex) {
			throw new IllegalStateException("No " + module + " jar in " + target + ": build first (./mvnw package)",
					ex);
		}
	}

	/** The java of this JVM: the services run on the same JDK as whoever starts them. */
	public static String javaExecutable() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	/**
	 * Waits until the readiness probe answers 200; fails early when the process exits.
	 */
	public ServiceProcess awaitReady() {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						this.name + " exited with " + this.process.exitValue() + "; see " + this.log);
			}
			if (ready()) {
				return this;
			}
			sleep(Duration.ofMillis(300));
		}
		throw new IllegalStateException(this.name + " was not ready after " + READY_TIMEOUT + "; see " + this.log);
	}

	/** Whether the readiness probe answers 200 now. */
	public boolean ready() {
		try {
			HttpResponse<Void> response = HTTP.send(
					HttpRequest.newBuilder(URI.create(url("/readyz"))).timeout(Duration.ofSeconds(2)).build(),
					HttpResponse.BodyHandlers.discarding());
			return response.statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	public String name() {
		return this.name;
	}

	/** The port of the service's gRPC server (the api-service's). */
	public int grpcPort() {
		return this.grpcPort;
	}

	public String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/**
	 * A URL of the service's Actuator ({@code /actuator/...}), on its management port.
	 */
	public String managementUrl(String path) {
		return "http://localhost:" + this.managementPort + path;
	}

	public Path log() {
		return this.log;
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Stops the process where it is (SIGSTOP): it keeps its memory, its compiled code and
	 * its connections, and takes no CPU until {@link #resume()}.
	 */
	public synchronized void suspend() {
		signal("STOP");
		this.suspended = true;
	}

	/**
	 * Lets a {@link #suspend() suspended} process run on (SIGCONT); does nothing to one
	 * that is not suspended or has ended.
	 */
	public synchronized void resume() {
		if (this.suspended && this.process.isAlive()) {
			signal("CONT");
		}
		this.suspended = false;
	}

	private void signal(String signal) {
		if (!this.process.isAlive()) {
			// its pid may be another process's by now
			throw new IllegalStateException(this.name + " has ended (" + this.process.exitValue() + ")");
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).redirectErrorStream(true)
				.start();
			String output = new String(kill.getInputStream().readAllBytes()).strip();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid() + " (" + this.name + "): " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling " + this.name, ex);
		}
	}

	/** Kills the process at once (SIGKILL), as a crash would. */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Stops with SIGTERM (graceful shutdown: in-flight work finishes), SIGKILL after a
	 * grace period.
	 */
	@Override
	public void close() {
		this.process.destroy();
		// a suspended process takes the SIGTERM when it runs again
		resume();
		try {
			if (!this.process.waitFor(this.stopTimeout.toSeconds(), TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	/**
	 * A port free now for a service to listen on, below the kernel's ephemeral range
	 * where that range can be read (Linux). A port the kernel hands out from that range
	 * may be taken, before the service binds it, as the local port of any connection
	 * opened meanwhile (a Kafka or JDBC client's): a worker once failed to start that
	 * way.
	 * @return the port
	 */
	/** The preferred port when it is free, else another free one. */
	public static int freePort(int preferred) {
		return bindable(preferred) ? preferred : freePort();
	}

	public static int freePort() {
		int ephemeralLow = ephemeralLow();
		for (int attempt = 0; ephemeralLow > LOWEST_PORT && attempt < 100; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(LOWEST_PORT, ephemeralLow);
			if (bindable(port)) {
				return port;
			}
		}
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The lowest port of the ephemeral range, or -1 where it cannot be read. */
	static int ephemeralLow() {
		try {
			// read line-wise: Files.readString reads one byte of this sysctl file
			return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).strip().split("\\s+")[0]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static boolean bindable(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

}
