package dev.batchline.worker.intake;

import java.time.Duration;
import java.util.Map;

import dev.batchline.support.PredictionLaneProducers;
import dev.batchline.worker.system.WorkerProperties;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The Kafka clients of the prediction lane, apart from the chunks' transactional ones and
 * tuned for latency: a poll returns as soon as a request has come (or, with
 * {@code predict-max-delay}, waits that long for more to gather), no transaction, offsets
 * committed without waiting, and answers sent by the lane's producers
 * ({@link PredictionLaneProducers}).
 */
@Configuration(proxyBeanMethods = false)
class PredictionKafka implements DisposableBean {

	/** The broker's longest wait for a poll when requests are not gathered. */
	private static final Duration IDLE_POLL_WAIT = Duration.ofMillis(500);

	/**
	 * Enough bytes that a poll waits out {@code predict-max-delay} to gather requests.
	 */
	private static final int GATHERING_FETCH_MIN_BYTES = 1 << 20;

	private final DefaultKafkaProducerFactory<String, Object> producers;

	private final KafkaTemplate<String, Object> answers;

	PredictionKafka(KafkaProperties properties) {
		// not a bean: a KafkaTemplate bean would replace Boot's transactional one
		this.producers = PredictionLaneProducers.factory(properties, "worker-service-predictions");
		this.answers = new KafkaTemplate<>(this.producers);
	}

	KafkaTemplate<String, Object> answers() {
		return this.answers;
	}

	@Bean
	ConcurrentKafkaListenerContainerFactory<String, CloudEvent> predictionListenerFactory(KafkaProperties properties,
			WorkerProperties worker) {
		Map<String, Object> config = properties.buildConsumerProperties();
		boolean gather = worker.predictMaxDelay().isPositive();
		config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, gather ? GATHERING_FETCH_MIN_BYTES : 1);
		config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
				(int) (gather ? worker.predictMaxDelay() : IDLE_POLL_WAIT).toMillis());
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
		// requests are sent without a transaction; a new group starts with what comes
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "worker-service-predictions");
		ConcurrentKafkaListenerContainerFactory<String, CloudEvent> factory = new ConcurrentKafkaListenerContainerFactory<>();
		factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
		factory.setBatchListener(true);
		factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
		factory.getContainerProperties().setSyncCommits(false);
		return factory;
	}

	@Override
	public void destroy() {
		this.producers.destroy();
	}

}
