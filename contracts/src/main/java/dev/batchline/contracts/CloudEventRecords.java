package dev.batchline.contracts;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;

/**
 * Builds and reads the CloudEvents 1.0 envelope of Batchline's Kafka records. Records use
 * the binary content mode ({@code ce_*} headers, the data in the value: JSON, or a
 * chunk's tensor in {@link ChunkTensors}), written by
 * {@code io.cloudevents.kafka.CloudEventSerializer}.
 */
public final class CloudEventRecords {

	/** The {@code datacontenttype} of every record but tensor-encoded chunks. */
	public static final String JSON = "application/json";

	private CloudEventRecords() {
	}

	/**
	 * An event with JSON data.
	 * @param id the event id (consumers deduplicate on it)
	 * @param type the CloudEvents type
	 * @param source the producing service, e.g. {@code api-service}
	 * @param subject the subject, usually the job id
	 * @param time when it happened
	 * @param data the payload, encoded with {@link EventCodec}
	 * @return the event
	 */
	public static CloudEvent event(String id, String type, String source, String subject, Instant time, Object data) {
		return eventWithJson(id, type, source, subject, time, EventCodec.encode(data));
	}

	/** An event whose JSON data is already encoded. */
	public static CloudEvent eventWithJson(String id, String type, String source, String subject, Instant time,
			byte[] json) {
		return eventWithData(id, type, source, subject, time, JSON, json);
	}

	/**
	 * An event whose data is already encoded, of the given content type (e.g.
	 * {@link ChunkTensors#CONTENT_TYPE}).
	 */
	public static CloudEvent eventWithData(String id, String type, String source, String subject, Instant time,
			String contentType, byte[] data) {
		return CloudEventBuilder.v1()
			.withId(id)
			.withType(type)
			.withSource(URI.create("/batchline/" + source))
			.withSubject(subject)
			.withTime(OffsetDateTime.ofInstant(time, ZoneOffset.UTC))
			.withDataContentType(contentType)
			.withData(data)
			.build();
	}

	/** An event with a random id and the current time. */
	public static CloudEvent event(String type, String source, String subject, Object data) {
		return event(UUID.randomUUID().toString(), type, source, subject, Instant.now(), data);
	}

	/**
	 * Decodes an event's JSON data.
	 * @param event the event
	 * @param type the record class
	 * @param <T> the record type
	 * @return the record
	 * @throws IllegalArgumentException when the event has no data
	 */
	public static <T> T data(CloudEvent event, Class<T> type) {
		CloudEventData data = event.getData();
		if (data == null) {
			throw new IllegalArgumentException("CloudEvent " + event.getId() + " has no data");
		}
		return EventCodec.decode(data.toBytes(), type);
	}

}
