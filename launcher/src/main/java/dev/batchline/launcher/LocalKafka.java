package dev.batchline.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), run as
 * its own JVM from the launcher's classpath (Apache Kafka's jars from Maven Central). Its
 * log directory lives in the work folder: formatted once, kept across restarts.
 */
final class LocalKafka implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private final int port;

	/**
	 * The broker's own listener (PLAINTEXT on loopback, a super user) when clients must
	 * authenticate on {@link #port}; else {@link #port} itself.
	 */
	private final int brokerPort;

	private final Path config;

	private final Path log;

	private final Path archives;

	private volatile Process process;

	private LocalKafka(int port, int brokerPort, Path config, Path log, Path archives) {
		this.port = port;
		this.brokerPort = brokerPort;
		this.config = config;
		this.log = log;
		this.archives = archives;
	}

	/**
	 * Starts the broker and returns without waiting for it: {@link #awaitListening()}
	 * waits.
	 * @param dir its folder (configuration, data)
	 * @param port the clients' port
	 * @param logDir where it logs
	 * @param secure whether clients authenticate with SASL/SCRAM and ACLs apply
	 * ({@link KafkaSecurity}); the broker and its controller then talk over listeners of
	 * their own on loopback
	 * @param archives where the broker's class-data archive is kept (shared by every
	 * broker on the same class path and JDK)
	 */
	static LocalKafka start(Path dir, int port, Path logDir, boolean secure, Path archives) {
		try {
			Files.createDirectories(dir);
			Files.createDirectories(logDir);
			int controllerPort = ServiceProcess.freePort();
			int brokerPort = secure ? ServiceProcess.freePort() : port;
			Path config = dir.resolve("server.properties");
			Path data = dir.resolve("data");
			List<String> listeners = secure ? List.of(
					"listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",BROKER://127.0.0.1:" + brokerPort
							+ ",CONTROLLER://127.0.0.1:" + controllerPort,
					"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",BROKER://127.0.0.1:" + brokerPort,
					"listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT",
					"inter.broker.listener.name=BROKER", "sasl.enabled.mechanisms=" + KafkaSecurity.MECHANISM,
					"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config="
							+ "org.apache.kafka.common.security.scram.ScramLoginModule required;",
					"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
					// the broker's and the controller's own loopback listeners
					"super.users=User:ANONYMOUS", "allow.everyone.if.no.acl.found=false")
					: List.of("listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
							"advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
							"inter.broker.listener.name=PLAINTEXT");
			List<String> lines = new ArrayList<>(List.of("process.roles=broker,controller", "node.id=1",
					"controller.quorum.voters=1@127.0.0.1:" + controllerPort, "controller.listener.names=CONTROLLER"));
			lines.addAll(listeners);
			lines.addAll(List.of("log.dirs=" + data, "num.partitions=12", "offsets.topic.replication.factor=1",
					"transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
					// one broker: 12 partitions for its groups' offsets and its
					// transactions, not 50
					"offsets.topic.num.partitions=12", "transaction.state.log.num.partitions=12",
					"share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
					"group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=" + !secure, ""));
			Files.writeString(config, String.join("\n", lines));
			if (!Files.exists(data.resolve("meta.properties"))) {
				run(java(dir, null, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", config.toString()),
						logDir.resolve("kafka-format.log"));
			}
			LocalKafka kafka = new LocalKafka(port, brokerPort, config, logDir.resolve("kafka.log"), archives);
			kafka.launch();
			return kafka;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start Kafka in " + dir, ex);
		}
	}

	/**
	 * Starts the stopped broker again with the same configuration: same port, same
	 * controller port, same log directory (so every topic, offset and transaction is
	 * still there).
	 */
	void startAgain() {
		if (this.process.isAlive()) {
			throw new IllegalStateException("Kafka is still running");
		}
		try {
			launch();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start Kafka again with " + this.config, ex);
		}
		awaitListening();
	}

	private void launch() throws IOException {
		this.process = new ProcessBuilder(
				java(this.config.getParent(), this.archives, "kafka.Kafka", this.config.toString()))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
	}

	long pid() {
		return this.process.pid();
	}

	String bootstrapServers() {
		return "127.0.0.1:" + this.port;
	}

	/** The broker's own listener, where no password is asked (loopback only). */
	String brokerBootstrapServers() {
		return "127.0.0.1:" + this.brokerPort;
	}

	/**
	 * Waits until the broker listens on the clients' port.
	 * @return this broker
	 * @throws IllegalStateException when it exits or does not listen in time
	 */
	LocalKafka awaitListening() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Kafka exited with " + this.process.exitValue() + "; see " + this.log
						+ " (is port " + this.port + " taken? set BATCHLINE_LOCAL_KAFKA_PORT)");
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
				return this;
			}
			catch (IOException ex) {
				ServiceProcess.sleep(Duration.ofMillis(100));
			}
		}
		throw new IllegalStateException("Kafka did not listen on " + this.port + " in time; see " + this.log);
	}

	/** Stops the broker (SIGTERM: a controlled shutdown). */
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

	private static String clusterId() {
		// Kafka's own random id, as kafka-storage random-uuid makes: never starting with
		// '-' (a base64url UUID does one time in 64, and the storage tool then takes it
		// for an option and fails)
		return org.apache.kafka.common.Uuid.randomUuid().toString();
	}

	private static void run(List<String> command, Path log) throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		try {
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("Kafka storage format failed; see " + log);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/**
	 * A JVM on the Kafka jars of the launcher's class path (a directory there would keep
	 * the JVM from archiving classes), logging as the launcher does.
	 * @param dir the broker's folder, where the logging configuration is written
	 * @param archives where the class-data archive is kept, or null for none
	 */
	private static List<String> java(Path dir, Path archives, String... mainAndArgs) throws IOException {
		String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter((entry) -> entry.endsWith(".jar"))
			.collect(Collectors.joining(File.pathSeparator));
		Path logging = dir.resolve("logback.xml");
		try (InputStream launcherLogging = LocalKafka.class.getResourceAsStream("/logback.xml")) {
			Files.copy(launcherLogging, logging, StandardCopyOption.REPLACE_EXISTING);
		}
		List<String> command = new ArrayList<>(List.of(ServiceProcess.javaExecutable(), "-Xmx512m", "-Xlog:cds=error",
				"-cp", classPath, "-Dlogback.configurationFile=" + logging));
		command.addAll(ServiceProcess.JVM_OPTIONS);
		if (archives != null) {
			// one archive per class path and JDK, made as the first broker on them exits
			// and
			// made again by the JVM when it no longer matches: about 4 s of CPU saved
			// at every later start
			Files.createDirectories(archives);
			String name = "kafka-" + Integer.toHexString(classPath.hashCode()) + "-jdk" + Runtime.version() + ".jsa";
			command.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archives.resolve(name)));
		}
		command.addAll(List.of(mainAndArgs));
		return command;
	}

}
