package dev.batchline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL and the Kafka of a {@link LocalPipeline}: embedded ones, started side by
 * side and stopped on {@link #close()}, unless {@code SPRING_DATASOURCE_URL} /
 * {@code SPRING_KAFKA_BOOTSTRAP_SERVERS} name external ones; then the topics and, on a
 * secured broker, the services' principals and ACLs.
 */
final class LocalInfrastructure implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(LocalInfrastructure.class);

	private final PipelineOptions options;

	private final CompletableFuture<Void> postgresStarted;

	private volatile LocalPostgres postgres;

	private volatile String jdbcUrl;

	private final LocalKafka kafka;

	private final String bootstrap;

	private final KafkaSecurity kafkaSecurity;

	private LocalInfrastructure(PipelineOptions options, Path logs) {
		this.options = options;
		this.postgresStarted = startPostgres();
		String externalKafka = System.getenv("SPRING_KAFKA_BOOTSTRAP_SERVERS");
		if (externalKafka != null && !externalKafka.isBlank()) {
			this.kafka = null;
			this.bootstrap = externalKafka;
			Console.step("Kafka: using " + externalKafka);
		}
		else {
			Console.step("Starting Kafka, KRaft mode" + (options.secureKafka() ? ", SASL/SCRAM and ACLs" : "")
					+ " (data in " + options.work().resolve("kafka") + ")");
			try {
				this.kafka = LocalKafka.start(options.work().resolve("kafka"), options.kafkaPort(), logs,
						options.secureKafka(), kafkaArchives());
			}
			catch (RuntimeException ex) {
				stopPostgres();
				throw ex;
			}
			this.bootstrap = this.kafka.bootstrapServers();
		}
		this.kafkaSecurity = options.secureKafka() ? KafkaSecurity.kept(options.work()) : null;
	}

	/**
	 * Starts PostgreSQL in the background and launches Kafka, without waiting for either.
	 * @throws IllegalStateException when a secured Kafka is asked of an external broker
	 */
	static LocalInfrastructure start(PipelineOptions options, Path logs) {
		LocalInfrastructure infrastructure = new LocalInfrastructure(options, logs);
		if (options.secureKafka() && infrastructure.kafka == null) {
			infrastructure.close();
			throw new IllegalStateException("A secured Kafka is the embedded broker's: for an external one, set "
					+ "its principals and ACLs as docs/security.md shows, and SPRING_KAFKA_PROPERTIES_* for the services");
		}
		return infrastructure;
	}

	/**
	 * Whether the services may start before Kafka listens: an embedded broker without
	 * authentication (the services wait for it and declare the same topics; on a secured
	 * one they would have no principals yet).
	 */
	boolean servicesMayStartBeforeKafka() {
		return this.kafka != null && this.kafkaSecurity == null;
	}

	/** Waits until PostgreSQL is up. */
	void awaitPostgres() {
		try {
			this.postgresStarted.join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
		}
	}

	/**
	 * Waits for the embedded broker, then creates the topics and, where clients must
	 * authenticate, the services' principals and ACLs.
	 */
	void prepareKafka(Topics topics) {
		if (this.kafka != null) {
			this.kafka.awaitListening();
		}
		if (this.kafkaSecurity != null) {
			LocalTopics.create(this.kafka.brokerBootstrapServers(), topics.prefix(), LocalPipeline.PARTITIONS);
			try (Admin admin = Admin.create(Map.of("bootstrap.servers", this.kafka.brokerBootstrapServers()))) {
				this.kafkaSecurity.provision(admin, topics);
			}
		}
		else {
			LocalTopics.create(this.bootstrap, topics.prefix(), LocalPipeline.PARTITIONS);
		}
	}

	String jdbcUrl() {
		return this.jdbcUrl;
	}

	String bootstrapServers() {
		return this.bootstrap;
	}

	/** The principals' credentials when the embedded Kafka is secured, else null. */
	KafkaSecurity kafkaSecurity() {
		return this.kafkaSecurity;
	}

	/** The embedded broker, to stop and start again. */
	LocalKafka embeddedKafka() {
		if (this.kafka == null) {
			throw new IllegalStateException("Kafka is external (SPRING_KAFKA_BOOTSTRAP_SERVERS): not ours to restart");
		}
		return this.kafka;
	}

	/** Adds the embedded parts' processes: kafka, postgresql (the postmaster). */
	void addPids(Map<String, Long> pids) {
		if (this.kafka != null) {
			pids.put("kafka", this.kafka.pid());
		}
		if (this.postgres != null) {
			this.postgres.pid().ifPresent((pid) -> pids.put("postgresql", pid));
		}
	}

	/** Stops the embedded Kafka, then the embedded PostgreSQL, once it is up. */
	@Override
	public void close() {
		if (this.kafka != null) {
			this.kafka.close();
		}
		stopPostgres();
	}

	private void stopPostgres() {
		this.postgresStarted.exceptionally((failure) -> null).join();
		if (this.postgres != null) {
			try {
				this.postgres.close();
			}
			catch (IOException ex) {
				log.warn("PostgreSQL did not stop cleanly: {}", ex.toString());
			}
		}
	}

	private CompletableFuture<Void> startPostgres() {
		String externalDb = System.getenv("SPRING_DATASOURCE_URL");
		if (externalDb != null && !externalDb.isBlank()) {
			this.jdbcUrl = externalDb;
			Console.step("PostgreSQL: using " + externalDb);
			return CompletableFuture.completedFuture(null);
		}
		Console.step("Starting PostgreSQL (data in " + this.options.work().resolve("postgres") + ")");
		// PostgreSQL starts beside Kafka: neither waits for the other
		return CompletableFuture.runAsync(() -> {
			this.postgres = LocalPostgres.start(this.options.work().resolve("postgres"), this.options.postgresPort());
			this.jdbcUrl = this.postgres.jdbcUrl();
		});
	}

	/**
	 * Where the embedded broker's class-data archive is kept: beside the services' AOT
	 * caches when the launcher module was built here, else in the work folder.
	 */
	private Path kafkaArchives() {
		Path target = this.options.root().resolve("launcher/target");
		return Files.isDirectory(target) ? target.resolve("aot") : this.options.work().resolve("kafka");
	}

}
