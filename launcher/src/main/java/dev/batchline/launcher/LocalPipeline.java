package dev.batchline.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import dev.batchline.contracts.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on this machine: PostgreSQL and Kafka (embedded unless
 * {@code SPRING_DATASOURCE_URL} / {@code SPRING_KAFKA_BOOTSTRAP_SERVERS} name external
 * ones), the topics, the api-service and N workers, then the webhook dispatcher, each
 * service a JVM of its own. The services start once PostgreSQL is up, while an embedded
 * Kafka without authentication is still starting. Closing it (a shutdown hook does on
 * Ctrl-C) stops everything in order: workers first (they finish their batch and leave the
 * group), then the dispatcher and the API, then Kafka and PostgreSQL.
 */
public final class LocalPipeline implements AutoCloseable {

	/** Partitions of the topics the launcher creates: the most useful workers. */
	public static final int PARTITIONS = 12;

	/** The port the API serves gRPC on when it is free (gRPC's usual one). */
	static final int DEFAULT_GRPC_PORT = 9090;

	private static final Logger log = LoggerFactory.getLogger(LocalPipeline.class);

	private final PipelineOptions options;

	private final Path logs;

	private final int apiGrpcPort;

	private final int apiManagementPort;

	private volatile LocalInfrastructure infrastructure;

	private ServiceEnvironment environment;

	private volatile ServiceProcess api;

	private volatile ServiceProcess dispatcher;

	private final List<ServiceProcess> workers = new CopyOnWriteArrayList<>();

	private int workerSerial;

	private String adminToken;

	private String apiKey;

	private volatile boolean closed;

	private final Thread stopHook = new Thread(this::close, "batchline-pipeline-stop");

	/** How a service is stopped before it starts again. */
	enum Stop {

		/** SIGTERM: a graceful shutdown. */
		GRACEFULLY,

		/** SIGKILL: a crash. */
		KILL

	}

	private LocalPipeline(PipelineOptions options) {
		this.options = options;
		this.logs = options.work().resolve("logs");
		// gRPC's usual port when it is free; it and the Actuator port are kept across
		// restarts of the API
		this.apiGrpcPort = ServiceProcess.freePort(DEFAULT_GRPC_PORT);
		this.apiManagementPort = ServiceProcess.freePort();
	}

	/** Starts everything and returns once every service is ready. */
	public static LocalPipeline up(PipelineOptions options) {
		return up(options, true);
	}

	/**
	 * Starts everything and returns once jobs can run: the API and the workers ready. The
	 * webhook dispatcher starts last, so that it takes no CPU from them, and may still be
	 * starting: {@link #awaitDispatcher()} waits for it.
	 */
	public static LocalPipeline upForJobs(PipelineOptions options) {
		return up(options, false);
	}

	private static LocalPipeline up(PipelineOptions options, boolean dispatcherToo) {
		LocalPipeline pipeline = new LocalPipeline(options);
		// Ctrl-C or SIGTERM at any time, while starting too, stops what was started
		Runtime.getRuntime().addShutdownHook(pipeline.stopHook);
		try {
			pipeline.start();
			return dispatcherToo ? pipeline.awaitDispatcher() : pipeline;
		}
		catch (RuntimeException ex) {
			pipeline.close();
			throw ex;
		}
	}

	private void start() {
		launch(() -> this.infrastructure = LocalInfrastructure.start(this.options, this.logs));
		LocalInfrastructure parts = this.infrastructure;
		parts.awaitPostgres();
		Topics topics = new Topics(ServiceEnvironment.envOr("BATCHLINE_TOPICS_PREFIX", Topics.DEFAULT_PREFIX));
		boolean besideKafka = parts.servicesMayStartBeforeKafka();
		if (!besideKafka) {
			parts.prepareKafka(topics);
		}
		this.adminToken = LocalCredentials.adminToken(this.options.work());
		this.environment = new ServiceEnvironment(parts.bootstrapServers(), parts.jdbcUrl(), this.options.apiPort(),
				this.apiGrpcPort, this.apiManagementPort, this.adminToken,
				LocalCredentials.secretsKeyFile(this.options.work()), parts.kafkaSecurity(), this.options.serviceEnv());
		Console.step("Starting api-service and " + this.options.workers() + " worker(s), then the webhook dispatcher");
		launch(() -> this.api = startApi(this.options.aot()));
		for (int i = 0; i < this.options.workers(); i++) {
			launch(() -> this.workers.add(startWorker()));
		}
		if (besideKafka) {
			parts.prepareKafka(topics);
		}
		this.api.awaitReady();
		this.workers.forEach(ServiceProcess::awaitReady);
		launch(() -> this.dispatcher = startDispatcher());
		this.apiKey = LocalCredentials.tenantKey(this.options.work(), this.api.url("/v1/admin/tenants"),
				this.adminToken);
	}

	/**
	 * Starts one process of the pipeline unless it is closing: a process started after
	 * {@link #close()} would outlive the launcher.
	 */
	private synchronized void launch(Runnable start) {
		if (this.closed) {
			throw new IllegalStateException("Stopped while starting");
		}
		start.run();
	}

	/**
	 * Waits until the webhook dispatcher is ready.
	 * @return this pipeline
	 */
	public LocalPipeline awaitDispatcher() {
		this.dispatcher.awaitReady();
		return this;
	}

	/**
	 * Adds or removes workers until {@code count} run; removed ones drain and leave the
	 * group.
	 */
	public synchronized void scaleWorkers(int count) {
		if (this.closed) {
			return;
		}
		while (this.workers.size() < count) {
			ServiceProcess worker = startWorker();
			this.workers.add(worker);
			worker.awaitReady();
			Console.step("Worker " + worker.name() + " is ready (" + this.workers.size() + " running)");
		}
		while (this.workers.size() > count) {
			ServiceProcess worker = this.workers.remove(this.workers.size() - 1);
			worker.close();
			Console.step("Worker " + worker.name() + " stopped (" + this.workers.size() + " running)");
		}
	}

	/**
	 * Starts a new worker in place of one that was stopped or killed (a stopped one is
	 * never restarted by the pipeline itself).
	 * @param worker the worker to replace; killed first if it still runs
	 * @return the new worker, ready
	 */
	synchronized ServiceProcess replaceWorker(ServiceProcess worker) {
		if (worker.isAlive()) {
			worker.kill();
		}
		this.workers.remove(worker);
		ServiceProcess replacement = startWorker();
		this.workers.add(replacement);
		return replacement.awaitReady();
	}

	/**
	 * Stops the api-service and starts it again on the same port.
	 * @param how SIGTERM or SIGKILL
	 * @return the new api-service process, ready
	 */
	synchronized ServiceProcess restartApi(Stop how) {
		stop(this.api, how);
		this.api = startApi(this.options.aot());
		return this.api.awaitReady();
	}

	/**
	 * Stops the api-service gracefully and starts it again on the same port, on its AOT
	 * cache or without it (the bench's cold starts).
	 * @param aot what the new process does with its cache
	 * @return the new api-service process, not yet ready
	 */
	public synchronized ServiceProcess restartApi(AotCache.Mode aot) {
		stop(this.api, Stop.GRACEFULLY);
		this.api = startApi(aot);
		return this.api;
	}

	/**
	 * Stops the webhook dispatcher and starts it again.
	 * @param how SIGTERM or SIGKILL
	 * @return the new dispatcher process, ready
	 */
	synchronized ServiceProcess restartDispatcher(Stop how) {
		stop(this.dispatcher, how);
		this.dispatcher = startDispatcher();
		return this.dispatcher.awaitReady();
	}

	/** Stops the embedded Kafka broker (a controlled shutdown); its data stays. */
	void stopKafka() {
		this.infrastructure.embeddedKafka().close();
	}

	/**
	 * Starts the embedded Kafka broker again on the same port and log directory.
	 */
	void startKafka() {
		this.infrastructure.embeddedKafka().startAgain();
	}

	private static void stop(ServiceProcess service, Stop how) {
		if (how == Stop.KILL) {
			service.kill();
		}
		else {
			service.close();
		}
	}

	public boolean isClosed() {
		return this.closed;
	}

	public List<ServiceProcess> workers() {
		return List.copyOf(this.workers);
	}

	public ServiceProcess api() {
		return this.api;
	}

	public ServiceProcess dispatcher() {
		return this.dispatcher;
	}

	public String adminTokenValue() {
		return this.adminToken;
	}

	public String apiKey() {
		return this.apiKey;
	}

	public String jdbcUrl() {
		return this.infrastructure.jdbcUrl();
	}

	public String bootstrapServers() {
		return this.infrastructure.bootstrapServers();
	}

	/** The principals' credentials when the embedded Kafka is secured, else null. */
	public KafkaSecurity kafkaSecurity() {
		return this.infrastructure.kafkaSecurity();
	}

	public Path logs() {
		return this.logs;
	}

	/** The work folder: data, logs, credentials. */
	public Path work() {
		return this.options.work();
	}

	/**
	 * The processes of the pipeline by name (api-service, webhook-dispatcher, worker-N,
	 * kafka, postgresql: the postmaster), for the embedded parts only when this pipeline
	 * started them.
	 */
	public Map<String, Long> pids() {
		Map<String, Long> pids = new java.util.LinkedHashMap<>();
		if (this.api != null) {
			pids.put(this.api.name(), this.api.pid());
		}
		if (this.dispatcher != null) {
			pids.put(this.dispatcher.name(), this.dispatcher.pid());
		}
		this.workers.forEach((worker) -> pids.put(worker.name(), worker.pid()));
		if (this.infrastructure != null) {
			this.infrastructure.addPids(pids);
		}
		return pids;
	}

	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		List<ServiceProcess> stopping = new ArrayList<>(this.workers);
		stopping.parallelStream().forEach(ServiceProcess::close);
		this.workers.clear();
		Stream.of(this.dispatcher, this.api).filter(java.util.Objects::nonNull).forEach(ServiceProcess::close);
		if (this.infrastructure != null) {
			this.infrastructure.close();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.stopHook);
		}
		catch (IllegalStateException ex) {
			// the JVM is stopping: this is its hook running
		}
	}

	private ServiceProcess startApi(AotCache.Mode aot) {
		return ServiceProcess.start(List.of(), ServiceProcess.jar(this.options.root(), "api-service"), "api-service",
				this.options.apiPort(), this.environment.api(), this.logs, aot);
	}

	private ServiceProcess startDispatcher() {
		return ServiceProcess.start(List.of(), ServiceProcess.jar(this.options.root(), "webhook-dispatcher"),
				"webhook-dispatcher", 0, this.environment.dispatcher(), this.logs, this.options.aot());
	}

	private ServiceProcess startWorker() {
		int serial = ++this.workerSerial;
		// one recording per jar: the first worker records, the others use what is there
		AotCache.Mode aot = (this.options.aot() == AotCache.Mode.RECORD && serial > 1) ? AotCache.Mode.USE
				: this.options.aot();
		return ServiceProcess.start(this.options.workerPrefix(),
				ServiceProcess.jar(this.options.root(), "worker-service"), "worker-" + serial, 0,
				this.environment.worker(), this.logs, aot);
	}

}
