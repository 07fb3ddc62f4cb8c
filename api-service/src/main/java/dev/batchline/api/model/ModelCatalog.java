package dev.batchline.api.model;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.ModelDeployed;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.PartitionOffset;
import org.springframework.kafka.annotation.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * The models the workers really serve, learnt from the compacted models topic (read from
 * the start at every start of the service). Submissions are validated against it.
 */
@Component
public class ModelCatalog {

	private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

	/**
	 * Numeric versions compare as numbers (TensorFlow Serving's layout), others as text.
	 */
	static final Comparator<String> VERSION_ORDER = Comparator
		.<String, Boolean>comparing((v) -> v.chars().allMatch(Character::isDigit))
		.thenComparing((a, b) -> {
			boolean numeric = a.chars().allMatch(Character::isDigit) && b.chars().allMatch(Character::isDigit);
			return numeric ? new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b)) : a.compareTo(b);
		});

	private final Map<String, NavigableMap<String, ModelDeployed>> models = new ConcurrentHashMap<>();

	@KafkaListener(id = "model-catalog", groupId = ConsumerGroups.API_CATALOG,
			containerFactory = "catalogListenerFactory",
			topicPartitions = @TopicPartition(topic = "#{@topics.models()}",
					partitionOffsets = @PartitionOffset(partition = "0", initialOffset = "0")))
	void onModel(ConsumerRecord<String, CloudEvent> record) {
		if (record.value() == null) {
			return;
		}
		ModelDeployed model = CloudEventRecords.data(record.value(), ModelDeployed.class);
		add(model);
	}

	void add(ModelDeployed model) {
		this.models.computeIfAbsent(model.name(), (name) -> new ConcurrentSkipListMap<>(VERSION_ORDER))
			.put(model.version(), model);
		log.info("Model {}:{} is served (inputs {})", model.name(), model.version(), model.signature().inputs());
	}

	/** A served model version; the newest when {@code version} is null. */
	public Optional<ModelDeployed> find(String name, String version) {
		NavigableMap<String, ModelDeployed> versions = this.models.get(name);
		if (versions == null || versions.isEmpty()) {
			return Optional.empty();
		}
		return Optional.ofNullable((version != null) ? versions.get(version) : versions.lastEntry().getValue());
	}

	/** Every served version of a model, oldest first. */
	public List<ModelDeployed> versions(String name) {
		NavigableMap<String, ModelDeployed> versions = this.models.get(name);
		return (versions != null) ? List.copyOf(versions.values()) : List.of();
	}

	/** The names of the served models, sorted. */
	public List<String> names() {
		return this.models.keySet().stream().sorted().toList();
	}

}
