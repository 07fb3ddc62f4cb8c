package dev.batchline.worker.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.Topics;
import dev.batchline.worker.system.WorkerProperties;
import io.cloudevents.CloudEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Announces every model version this worker serves on the compacted models topic, keyed
 * per worker ({@code name:version@worker id}): once the worker is ready, then again every
 * {@code batchline.worker.announce.interval} (a heartbeat, so that the api-service
 * forgets the models of a worker that crashed), and withdraws them with a tombstone per
 * key when the worker stops, first of all its parts (while its producer is still open and
 * before its listeners stop taking chunks), so that no new job is routed to it meanwhile.
 */
@Component
class ModelAnnouncer implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ModelAnnouncer.class);

	/** How long one announcement or withdrawal may wait for the broker. */
	private static final long SEND_TIMEOUT_SECONDS = 30;

	private final ModelRepository models;

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	private final WorkerProperties properties;

	private final AnnounceProperties announce;

	private final Clock clock;

	private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "model-announcer");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean running;

	private volatile boolean announced;

	/** Where the api-service asks this worker for predictions, known once it listens. */
	private volatile String endpoint;

	ModelAnnouncer(ModelRepository models, KafkaTemplate<String, CloudEvent> kafka, Topics topics,
			WorkerProperties properties, AnnounceProperties announce) {
		this.models = models;
		this.kafka = kafka;
		this.topics = topics;
		this.properties = properties;
		this.announce = announce;
		this.clock = Clock.systemUTC();
	}

	@EventListener(ApplicationReadyEvent.class)
	void announce(ApplicationReadyEvent ready) throws Exception {
		if (!this.running) {
			return;
		}
		this.endpoint = endpoint(ready.getApplicationContext().getEnvironment());
		List<ModelDeployed> announced = send();
		this.announced = true;
		announced.forEach((deployed) -> log.info(
				"Announced model {} on {} (fingerprint {}, predictions at {}), again every {}", deployed.key(),
				this.topics.models(), deployed.fingerprint(), deployed.endpoint(), this.announce.interval()));
		long every = this.announce.interval().toMillis();
		this.heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
	}

	private void heartbeat() {
		try {
			send();
		}
		catch (Exception ex) {
			// the next heartbeat tries again; the api-service keeps the models until
			// batchline.api.catalog.expire-after
			log.warn("Models not announced again on {}: {}", this.topics.models(), String.valueOf(ex));
		}
	}

	/** Announces every served version now, each in a transaction of its own. */
	private synchronized List<ModelDeployed> send() throws Exception {
		List<ModelDeployed> sent = new ArrayList<>();
		for (ServedModel model : this.models.all()) {
			ModelDeployed deployed = deployed(model);
			// the template is transactional (results are sent in the listener's
			// transactions)
			this.kafka
				.executeInTransaction((template) -> template.send(this.topics.models(), deployed.key(),
						CloudEventRecords.event(ModelDeployed.TYPE, "worker-service", deployed.key(), deployed)))
				.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			sent.add(deployed);
		}
		return sent;
	}

	private ModelDeployed deployed(ServedModel model) {
		return new ModelDeployed(model.name(), model.version(), model.signature(), this.properties.maxBatchSize(),
				model.loadedAt(), this.announce.workerId(), this.clock.instant(), model.fingerprint(), this.endpoint);
	}

	/**
	 * The configured endpoint, else {@code http://<this host's address>:<HTTP port>};
	 * null without an HTTP port (the api-service then sends this worker no predictions).
	 */
	private String endpoint(Environment environment) {
		if (this.announce.endpoint() != null) {
			return this.announce.endpoint().toString();
		}
		String port = environment.getProperty("local.server.port");
		if (port == null) {
			log.warn("The worker has no HTTP port: it takes no synchronous predictions");
			return null;
		}
		String host;
		try {
			host = InetAddress.getLocalHost().getHostAddress();
		}
		catch (UnknownHostException ex) {
			host = InetAddress.getLoopbackAddress().getHostAddress();
		}
		return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
	}

	/** Sends a tombstone for each of this worker's keys. */
	private synchronized void withdraw() {
		for (ServedModel model : this.models.all()) {
			String key = ModelDeployed.key(model.name(), model.version(), this.announce.workerId());
			try {
				this.kafka.executeInTransaction((template) -> template.send(this.topics.models(), key, null))
					.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
				log.info("Withdrew model {} from {}", key, this.topics.models());
			}
			catch (Exception ex) {
				// the api-service forgets it after batchline.api.catalog.expire-after
				log.warn("Model {} not withdrawn from {}: {}", key, this.topics.models(), String.valueOf(ex));
				if (ex instanceof InterruptedException) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		// no heartbeat after this one; one in flight finishes before the tombstones
		this.heartbeats.shutdown();
		try {
			this.heartbeats.awaitTermination(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.announced) {
			withdraw();
			this.announced = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops first: before the listeners stop taking chunks and the producer closes. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
