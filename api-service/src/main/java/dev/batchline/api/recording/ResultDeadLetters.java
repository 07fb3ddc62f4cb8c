package dev.batchline.api.recording;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.support.DeadLetterRecords;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.contracts.Topics;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The results' dead letter topic ({@link Topics#resultsDeadLetter()}): a result record
 * that cannot be recorded is published as it arrived (its value bytes and headers), with
 * why ({@link RecordHeaders#REASON}, {@link RecordHeaders#ERROR}) and where from
 * ({@link RecordHeaders#ORIGIN}), and the broker's acknowledgement is awaited, so the
 * recorder commits its offset only once the record is kept. It has a producer of its own
 * that sends bytes: the value may be what could not be decoded.
 */
@Component
class ResultDeadLetters implements DisposableBean {

	private static final long SEND_TIMEOUT_SECONDS = 30;

	/** Where reading a deserialization failure's header logs its own problems. */
	private final DefaultKafkaProducerFactory<String, byte[]> producers;

	private final KafkaTemplate<String, byte[]> kafka;

	private final Topics topics;

	private final MeterRegistry meters;

	ResultDeadLetters(KafkaProperties properties, Topics topics, MeterRegistry meters) {
		Map<String, Object> config = properties.buildProducerProperties();
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.CLIENT_ID_CONFIG,
				config.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "api-service") + "-results-dead-letters");
		this.producers = new DefaultKafkaProducerFactory<>(config);
		this.kafka = new KafkaTemplate<>(this.producers);
		this.topics = topics;
		this.meters = meters;
		// at 0 from the start: an alert on increase() misses a counter's first increment
		// when the series only appears with it
		for (String reason : List.of(DeadLetterReasons.UNDECODABLE, DeadLetterReasons.UNKNOWN_JOB,
				DeadLetterReasons.UNKNOWN_CHUNK, DeadLetterReasons.UNSTORABLE)) {
			meters.counter("batchline.results.dead_lettered", "reason", reason);
		}
	}

	/** The topic. */
	String topic() {
		return this.topics.resultsDeadLetter();
	}

	/**
	 * Publishes the record as it arrived and waits for the broker.
	 * @param record the result record
	 * @param reason why, one of the {@link DeadLetterReasons}
	 * @param problem why, for people
	 * @throws KafkaException when the broker did not take it: the poll must be tried
	 * again
	 */
	void send(ConsumerRecord<String, CloudEvent> record, String reason, String problem) {
		ProducerRecord<String, byte[]> letter = DeadLetterRecords.of(record, topic(), reason, problem);
		try {
			this.kafka.send(letter).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KafkaException("Interrupted while dead-lettering a result record", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new KafkaException("Could not dead-letter the result record " + record.topic() + "-"
					+ record.partition() + "@" + record.offset() + " to " + topic(), ex);
		}
		this.meters.counter("batchline.results.dead_lettered", "reason", reason).increment();
	}

	@Override
	public void destroy() {
		this.producers.destroy();
	}

}
