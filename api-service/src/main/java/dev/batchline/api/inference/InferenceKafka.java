package dev.batchline.api.inference;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.batchline.support.PredictionLaneProducers;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * requests go out through the lane's producers ({@link PredictionLaneProducers}), and
 * answers are read from the end of their topic without committing anything.
 */
@Configuration(proxyBeanMethods = false)
class InferenceKafka implements DisposableBean {

	private final DefaultKafkaProducerFactory<String, CloudEvent> producers;

	private final KafkaTemplate<String, CloudEvent> requests;

	InferenceKafka(KafkaProperties properties) {
		// not a bean: a KafkaTemplate bean would replace Boot's default one
		this.producers = PredictionLaneProducers.factory(properties, "api-service-predictions");
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
