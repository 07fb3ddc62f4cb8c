package dev.batchline.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One packaged Batchline service ({@code <module>/target/<module>-<version>.jar}) running
 * as its own JVM, configured through environment variables exactly as an operator would,
 * with its output in {@code system-tests/target/services/<name>.log}.
 */
final class ServiceProcess implements AutoCloseable {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);

	private final String name;

	private final int port;

	private final Process process;

	private final Path log;

	private ServiceProcess(String name, int port, Process process, Path log) {
		this.name = name;
		this.port = port;
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts a service.
	 * @param module the Maven module, e.g. {@code api-service}
	 * @param name a name for its log file
	 * @param env its environment (SPRING_*, BATCHLINE_*)
	 * @return the running service (not yet ready)
	 */
	static ServiceProcess start(String module, String name, Map<String, String> env) {
		Path root = Path.of(System.getProperty("batchline.repo.root", ".."));
		String version = System.getProperty("batchline.project.version");
		Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify)");
		}
		int port = freePort();
		Path log = root.resolve("system-tests/target/services/" + name + ".log");
		try {
			Files.createDirectories(log.getParent());
			String java = ProcessHandle.current().info().command().orElse("java");
			List<String> command = new ArrayList<>(
					List.of(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
			builder.environment().putAll(env);
			builder.environment().put("SERVER_PORT", Integer.toString(port));
			builder.environment().put("TF_ENABLE_ONEDNN_OPTS", "0");
			builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
			return new ServiceProcess(name, port, builder.start(), log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name, ex);
		}
	}

	/** Waits until the service's readiness probe answers 200. */
	ServiceProcess awaitReady() {
		HttpClient http = HttpClient.newHttpClient();
		await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						this.name + " exited with " + this.process.exitValue() + "; see " + this.log);
			}
			try {
				HttpResponse<Void> response = http.send(
						HttpRequest.newBuilder(URI.create(url("/actuator/health/readiness"))).build(),
						HttpResponse.BodyHandlers.discarding());
				return response.statusCode() == 200;
			}
			catch (IOException ex) {
				return false;
			}
		});
		return this;
	}

	String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/**
	 * Stops the service with SIGTERM (graceful shutdown), then SIGKILL after a grace
	 * period.
	 */
	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
