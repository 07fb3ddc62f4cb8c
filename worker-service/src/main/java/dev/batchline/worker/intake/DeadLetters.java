package dev.batchline.worker.intake;

import java.util.List;

import dev.batchline.support.DeadLetterRecords;
import dev.batchline.contracts.DeadLetterReasons;
import dev.batchline.contracts.RecordHeaders;
import dev.batchline.contracts.Topics;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The chunks' dead letter topic. A record that cannot be decoded, a chunk that fails even
 * on its own, or a chunk whose results are too large for a record, is published as it
 * arrived (its value bytes and headers) inside the listener's transaction, so that it is
 * dead-lettered exactly when its offset is committed, with why
 * ({@link RecordHeaders#REASON}, one of the {@link DeadLetterReasons}, and
 * {@link RecordHeaders#ERROR}) and where from ({@link RecordHeaders#ORIGIN}) in headers.
 * It goes through the listener's one transactional producer, whose serializer
 * ({@link WorkerRecordSerializer}) passes raw bytes as they are.
 */
@Component
class DeadLetters {

	/** Where reading a deserialization failure's header logs its own problems. */
	private final KafkaTemplate<String, Object> kafka;

	private final Topics topics;

	private final MeterRegistry meters;

	DeadLetters(KafkaTemplate<String, Object> kafka, Topics topics, MeterRegistry meters) {
		this.kafka = kafka;
		this.topics = topics;
		this.meters = meters;
		// at 0 from the start: an alert on increase() misses a counter's first increment
		// when the series only appears with it
		for (String reason : List.of(DeadLetterReasons.UNDECODABLE, DeadLetterReasons.CHUNK_FAILED,
				DeadLetterReasons.RESULT_TOO_LARGE)) {
			meters.counter("batchline.worker.dead_letters", "reason", reason);
		}
	}

	/** The topic dead letters go to. */
	String topic() {
		return this.topics.chunksDeadLetter();
	}

	/**
	 * Publishes the record as it arrived to the dead letter topic.
	 * @param record the record
	 * @param reason why it cannot be processed, one of the {@link DeadLetterReasons}
	 * @param problem why it cannot be processed, for people
	 */
	void send(ConsumerRecord<String, CloudEvent> record, String reason, String problem) {
		ProducerRecord<String, Object> letter = DeadLetterRecords.of(record, topic(), reason, problem);
		this.kafka.send(letter);
		// counted when sent: a transaction that aborts afterwards counts it again when
		// the
		// chunk comes again
		this.meters.counter("batchline.worker.dead_letters", "reason", reason).increment();
	}

}
