package dev.batchline.support;

import java.nio.charset.StandardCharsets;

import dev.batchline.contracts.RecordHeaders;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * The dead letter of a consumed record, as every service writes it: the original value's
 * bytes and headers (but the deserializer's failure headers), plus
 * {@link RecordHeaders#REASON}, {@link RecordHeaders#ERROR} and
 * {@link RecordHeaders#ORIGIN} ({@code topic-partition@offset}).
 */
public final class DeadLetterRecords {

	private static final LogAccessor LOG_ACCESSOR = new LogAccessor(DeadLetterRecords.class);

	private DeadLetterRecords() {
	}

	/**
	 * The dead letter of {@code record} for {@code topic}.
	 * @param reason why, a machine-readable code
	 * @param problem why, for people
	 * @param <V> the producer's value type (the value is the original bytes)
	 */
	@SuppressWarnings("unchecked")
	public static <V> ProducerRecord<String, V> of(ConsumerRecord<String, CloudEvent> record, String topic,
			String reason, String problem) {
		ProducerRecord<String, V> letter = new ProducerRecord<>(topic, record.key(), (V) originalBytes(record));
		for (Header header : record.headers()) {
			if (!header.key().startsWith(SerializationUtils.DESERIALIZER_EXCEPTION_HEADER_PREFIX)) {
				letter.headers().add(header);
			}
		}
		letter.headers().add(RecordHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
		letter.headers().add(RecordHeaders.ERROR, problem.getBytes(StandardCharsets.UTF_8));
		letter.headers()
			.add(RecordHeaders.ORIGIN, (record.topic() + "-" + record.partition() + "@" + record.offset())
				.getBytes(StandardCharsets.UTF_8));
		return letter;
	}

	/**
	 * The record's value bytes: a CloudEvent's data (binary mode), or what failed to
	 * decode.
	 */
	public static byte[] originalBytes(ConsumerRecord<String, CloudEvent> record) {
		if (record.value() != null) {
			return (record.value().getData() != null) ? record.value().getData().toBytes() : null;
		}
		DeserializationException failure = deserializationFailure(record);
		return (failure != null) ? failure.getData() : null;
	}

	/**
	 * Why a record's value could not be decoded, from the headers the
	 * {@code ErrorHandlingDeserializer} adds (a record that decoded has none: then null).
	 */
	public static DeserializationException deserializationFailure(ConsumerRecord<String, CloudEvent> record) {
		return SerializationUtils.getExceptionFromHeader(record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER,
				LOG_ACCESSOR);
	}

}
