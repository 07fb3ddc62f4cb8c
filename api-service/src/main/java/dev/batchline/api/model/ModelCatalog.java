package dev.batchline.api.model;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.random.RandomGenerator;

import dev.batchline.api.model.ModelRoutingProperties.Routing;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.ModelDeployed;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.PartitionOffset;
import org.springframework.kafka.annotation.TopicPartition;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.stereotype.Component;

/**
 * The models the workers really serve, learnt from the compacted models topic (read from
 * the start at every start of the service), and where a request for a model goes
 * ({@link #route}). Every door routes through it.
 * <p>
 * Each record is one worker's announcement of one version, sent again every heartbeat. A
 * version is served while at least one worker's announcement of it is younger than
 * {@code batchline.api.catalog.expire-after} (by its {@code announced_at}, so that old
 * records read again after a restart do not count) and not withdrawn by a tombstone.
 * <p>
 * While the catalog cannot reach Kafka, no heartbeat can reach it either: its clock stops
 * for the announcements then, so that a broker outage does not make every model unknown
 * (a submission is accepted while Kafka is away). An announcement that counted when the
 * catalog lost Kafka counts until {@code expire-after} after it reaches Kafka again, time
 * enough for the workers to announce again.
 */
@Component
public class ModelCatalog {

	private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

	/**
	 * Numeric versions compare as numbers (TensorFlow Serving's layout), others as text.
	 */
	static final Comparator<String> VERSION_ORDER = (a, b) -> {
		boolean numeric = isNumber(a);
		if (numeric != isNumber(b)) {
			return numeric ? 1 : -1;
		}
		return numeric ? compareNumbers(a, b) : a.compareTo(b);
	};

	/**
	 * Without a record or an answer from the broker for this long, the catalog takes
	 * itself to be cut off from Kafka (it asks the broker when the topic has been quiet
	 * for 5 s, {@code KafkaConfiguration}).
	 */
	static final Duration CONTACT_TIMEOUT = Duration.ofSeconds(15);

	/** How long the catalog waits for the broker's answer when it asks. */
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

	/** Model name → version → record key → the announcement. */
	private final Map<String, NavigableMap<String, Map<String, ModelDeployed>>> models = new ConcurrentHashMap<>();

	/** Record key → the announcement, to apply tombstones. */
	private final Map<String, ModelDeployed> byKey = new ConcurrentHashMap<>();

	private final ModelRoutingProperties routing;

	private final ModelCatalogProperties properties;

	private final Clock clock;

	private final RandomGenerator random;

	/** When the catalog last heard from Kafka, or null before it first did. */
	private volatile Instant lastContact;

	/** The last contact before the latest time the catalog was cut off, or null. */
	private volatile Instant contactLostAt;

	/** When the catalog heard from Kafka again after the latest time it was cut off. */
	private volatile Instant contactRegainedAt;

	@Autowired
	public ModelCatalog(ModelRoutingProperties routing, ModelCatalogProperties properties, Clock clock) {
		this(routing, properties, clock, new Random());
	}

	/**
	 * A catalog that splits with the given random numbers.
	 * @param routing the labels and splits
	 * @param properties the catalog's settings
	 * @param clock the clock announcements expire by
	 * @param random the split's random numbers; must be safe for several threads when the
	 * catalog is
	 */
	public ModelCatalog(ModelRoutingProperties routing, ModelCatalogProperties properties, Clock clock,
			RandomGenerator random) {
		this.routing = routing;
		this.properties = properties;
		this.clock = clock;
		this.random = random;
	}

	@KafkaListener(id = "model-catalog", groupId = ConsumerGroups.API_CATALOG,
			containerFactory = "catalogListenerFactory",
			topicPartitions = @TopicPartition(topic = "#{@topics.models()}",
					partitionOffsets = @PartitionOffset(partition = "0", initialOffset = "0")))
	void onModel(ConsumerRecord<String, CloudEvent> record) {
		contact(this.clock.instant());
		if (record.value() == null) {
			withdraw(record.key());
			return;
		}
		add(CloudEventRecords.data(record.value(), ModelDeployed.class));
	}

	/** The topic has been quiet: whether the broker answers tells if Kafka is there. */
	@EventListener(condition = "event.listenerId.startsWith('model-catalog')")
	void onQuiet(ListenerContainerIdleEvent event) {
		try {
			// on the consumer's thread: the event is published there
			event.getConsumer().endOffsets(event.getTopicPartitions(), PROBE_TIMEOUT);
			contact(this.clock.instant());
		}
		catch (KafkaException ex) {
			log.debug("Model catalog: no answer from Kafka ({})", ex.toString());
		}
	}

	/** The catalog heard from Kafka at {@code at}. */
	void contact(Instant at) {
		Instant last = this.lastContact;
		if (last != null && Duration.between(last, at).compareTo(CONTACT_TIMEOUT) > 0) {
			// regained first: a reader that sees the loss sees its end
			this.contactRegainedAt = at;
			this.contactLostAt = last;
			log.warn("Model catalog: Kafka answers again after {}; the announcements that counted at {} count "
					+ "until {}", Duration.between(last, at), last, at.plus(this.properties.expireAfter()));
		}
		this.lastContact = at;
	}

	void add(ModelDeployed model) {
		ModelDeployed before = this.byKey.put(model.key(), model);
		this.models.computeIfAbsent(model.name(), (name) -> new ConcurrentSkipListMap<>(VERSION_ORDER))
			.computeIfAbsent(model.version(), (version) -> new ConcurrentHashMap<>())
			.put(model.key(), model);
		if (before == null) {
			log.info("Model {}:{} announced by worker {} (announced at {}, fingerprint {}, inputs {})", model.name(),
					model.version(), model.workerId(), model.announcedAt(), model.fingerprint(),
					model.signature().inputs());
		}
	}

	void withdraw(String key) {
		if (key == null) {
			return;
		}
		ModelDeployed model = this.byKey.remove(key);
		if (model == null) {
			return;
		}
		NavigableMap<String, Map<String, ModelDeployed>> versions = this.models.get(model.name());
		Map<String, ModelDeployed> workers = (versions != null) ? versions.get(model.version()) : null;
		if (workers != null) {
			workers.remove(key);
		}
		log.info("Model {}:{} withdrawn by worker {}", model.name(), model.version(), model.workerId());
	}

	/**
	 * Where a request for a model goes.
	 * @param name the model name
	 * @param versionOrLabel a version or a label of the model (it pins the version), or
	 * null for the model's split, or its newest served version when it has no split
	 * @return the served version chosen and the label that chose it; empty when no worker
	 * serves the model, the version or the label's version, or any version of the split
	 */
	public Optional<ModelRoute> route(String name, String versionOrLabel) {
		Routing settings = this.routing.routing(name);
		if (versionOrLabel != null) {
			String labelled = settings.labels().get(versionOrLabel);
			if (labelled != null) {
				return find(name, labelled).map((model) -> new ModelRoute(model, versionOrLabel));
			}
			return find(name, versionOrLabel).map((model) -> new ModelRoute(model, null));
		}
		if (!settings.hasSplit()) {
			return find(name, null).map((model) -> new ModelRoute(model, null));
		}
		return split(name, settings);
	}

	/** A weighted random choice among the split's entries that are served. */
	private Optional<ModelRoute> split(String name, Routing settings) {
		List<ModelRoute> served = new ArrayList<>();
		List<Integer> weights = new ArrayList<>();
		long total = 0;
		for (Map.Entry<String, Integer> share : settings.split().entrySet()) {
			String label = settings.labels().containsKey(share.getKey()) ? share.getKey() : null;
			String version = (label != null) ? settings.labels().get(label) : share.getKey();
			Optional<ModelDeployed> model = (share.getValue() > 0) ? find(name, version) : Optional.empty();
			if (model.isPresent()) {
				served.add(new ModelRoute(model.get(), label));
				weights.add(share.getValue());
				total += share.getValue();
			}
		}
		if (served.isEmpty()) {
			return Optional.empty();
		}
		long pick = this.random.nextLong(total);
		for (int i = 0; i < served.size(); i++) {
			pick -= weights.get(i);
			if (pick < 0) {
				return Optional.of(served.get(i));
			}
		}
		throw new IllegalStateException("unreachable: the weights add up to " + total);
	}

	/**
	 * A served model version, exactly as named; the newest served version when
	 * {@code version} is null. Labels and splits are {@link #route}'s.
	 * @param name the model name
	 * @param version the version, or null
	 * @return the newest live announcement of it, or empty when no worker serves it
	 */
	public Optional<ModelDeployed> find(String name, String version) {
		NavigableMap<String, Map<String, ModelDeployed>> versions = this.models.get(name);
		if (versions == null) {
			return Optional.empty();
		}
		Instant now = this.clock.instant();
		if (version != null) {
			Map<String, ModelDeployed> workers = versions.get(version);
			return (workers != null) ? live(workers, now) : Optional.empty();
		}
		for (Map<String, ModelDeployed> workers : versions.descendingMap().values()) {
			Optional<ModelDeployed> model = live(workers, now);
			if (model.isPresent()) {
				return model;
			}
		}
		return Optional.empty();
	}

	/** Every served version of a model, oldest first. */
	public List<ModelDeployed> versions(String name) {
		NavigableMap<String, Map<String, ModelDeployed>> versions = this.models.get(name);
		if (versions == null) {
			return List.of();
		}
		Instant now = this.clock.instant();
		return versions.values().stream().map((workers) -> live(workers, now)).flatMap(Optional::stream).toList();
	}

	/**
	 * The workers that serve a model version now, each by its latest announcement (an
	 * announcement without a worker id counts as one worker).
	 */
	public List<ModelDeployed> workers(String name, String version) {
		NavigableMap<String, Map<String, ModelDeployed>> versions = this.models.get(name);
		Map<String, ModelDeployed> workers = (versions != null) ? versions.get(version) : null;
		if (workers == null) {
			return List.of();
		}
		Instant now = this.clock.instant();
		return workers.values().stream().filter((model) -> isLive(model, now)).toList();
	}

	/**
	 * Every live announcement: each worker's latest of each version it serves (an
	 * announcement without a worker id counts as one worker), by model, version and key.
	 */
	public List<ModelDeployed> announcements() {
		Instant now = this.clock.instant();
		return this.byKey.values()
			.stream()
			.filter((model) -> isLive(model, now))
			.sorted(Comparator.comparing(ModelDeployed::name)
				.thenComparing(ModelDeployed::version, VERSION_ORDER)
				.thenComparing(ModelDeployed::key))
			.toList();
	}

	/**
	 * Whether the model has been served since this replica started, or has labels or a
	 * split configured: a request for it while no worker serves it is the workers'
	 * absence, not a wrong name.
	 */
	public boolean known(String name) {
		return this.models.containsKey(name) || !this.routing.routing(name).labels().isEmpty()
				|| this.routing.routing(name).hasSplit();
	}

	/** The names of the served models, sorted. */
	public List<String> names() {
		return this.models.keySet().stream().filter((name) -> !versions(name).isEmpty()).sorted().toList();
	}

	/** The labels and split configured for a model (none when it has none). */
	public Routing routing(String name) {
		return this.routing.routing(name);
	}

	private Optional<ModelDeployed> live(Map<String, ModelDeployed> workers, Instant now) {
		return workers.values()
			.stream()
			.filter((model) -> isLive(model, now))
			.max(Comparator.comparing(ModelDeployed::announcedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
				.thenComparing(ModelDeployed::key));
	}

	/**
	 * Whether a version is all digits. Every routed request compares versions: no
	 * allocation.
	 */
	private static boolean isNumber(String version) {
		for (int i = 0; i < version.length(); i++) {
			if (version.charAt(i) < '0' || version.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	/** Two strings of digits compared as the numbers they write, however long. */
	private static int compareNumbers(String a, String b) {
		int fromA = firstNonZero(a);
		int fromB = firstNonZero(b);
		int lengths = Integer.compare(a.length() - fromA, b.length() - fromB);
		if (lengths != 0) {
			return lengths;
		}
		for (int i = 0; i < a.length() - fromA; i++) {
			int digits = Character.compare(a.charAt(fromA + i), b.charAt(fromB + i));
			if (digits != 0) {
				return digits;
			}
		}
		return 0;
	}

	private static int firstNonZero(String digits) {
		int i = 0;
		while (i < digits.length() && digits.charAt(i) == '0') {
			i++;
		}
		return i;
	}

	private boolean isLive(ModelDeployed model, Instant now) {
		if (model.announcedAt() == null) {
			return true;
		}
		Instant deadline = model.announcedAt().plus(this.properties.expireAfter());
		if (!deadline.isBefore(now)) {
			return true;
		}
		Instant last = this.lastContact;
		if (last != null && Duration.between(last, now).compareTo(CONTACT_TIMEOUT) > 0) {
			// cut off from Kafka: the clock stopped at the last contact
			return !deadline.isBefore(last);
		}
		Instant lost = this.contactLostAt;
		Instant regained = this.contactRegainedAt;
		return lost != null && !deadline.isBefore(lost) && !now.isAfter(regained.plus(this.properties.expireAfter()));
	}

}
