package dev.batchline.api.inference;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The Kafka clients of the synchronous lane, tuned for latency rather than throughput:
 * requests are sent at once (no linger, no compression, the leader's acknowledgement: a
 * lost request is a timeout the client may retry), and answers are read from the end of
 * their topic without committing anything.
 */
@Configuration(proxyBeanMethods = false)
class InferenceKafka implements DisposableBean {

	private final DefaultKafkaProducerFactory<String, CloudEvent> producers;

	private final KafkaTemplate<String, CloudEvent> requests;

	InferenceKafka(KafkaProperties properties) {
		Map<String, Object> config = properties.buildProducerProperties();
		config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
		config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
		config.put(ProducerConfig.ACKS_CONFIG, "1");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
		// records of one moment fill one partition's batch, whatever their keys: fewer,
		// larger produce requests under load
		config.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "api-service-predictions");
		// not a bean: a KafkaTemplate bean would replace Boot's default one
		this.producers = new DefaultKafkaProducerFactory<>(config);
		this.requests = new KafkaTemplate<>(this.producers);
	}

	/** Opens the latch once the answers' partitions are assigned and their ends known. */
	private static final class AnswersAssigned implements ConsumerAwareRebalanceListener {

		private final CountDownLatch latch = new CountDownLatch(1);

		@Override
		public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			// resolve the end now: an answer written after this is read
			partitions.forEach(consumer::position);
			this.latch.countDown();
		}

	}

	@Override
	public void destroy() {
		this.producers.destroy();
	}

	private final AnswersAssigned answersAssigned = new AnswersAssigned();

	KafkaTemplate<String, CloudEvent> requests() {
		return this.requests;
	}

	/** Open once this replica reads the answers' partitions from their end. */
	CountDownLatch answersAssigned() {
		return this.answersAssigned.latch;
	}

	@Bean
	ConcurrentKafkaListenerContainerFactory<String, CloudEvent> predictionResultsListenerFactory(
			KafkaProperties properties) {
		Map<String, Object> config = properties.buildConsumerProperties();
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
		config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "api-service-prediction-results");
		ConcurrentKafkaListenerContainerFactory<String, CloudEvent> factory = new ConcurrentKafkaListenerContainerFactory<>();
		factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
		factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
		factory.getContainerProperties().setConsumerRebalanceListener(this.answersAssigned);
		return factory;
	}

}
