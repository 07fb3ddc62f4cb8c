package dev.batchline.worker.intake;

import java.util.Map;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value serializer of the worker's one transactional producer: CloudEvents in binary
 * mode, and raw bytes as they are. Dead letters must carry the poison record's original
 * bytes, and they must go out in the same transaction as the results and offsets, so they
 * cannot use a second (differently typed) producer.
 */
public class WorkerRecordSerializer implements Serializer<Object> {

	private final CloudEventSerializer events = new CloudEventSerializer();

	@Override
	public void configure(Map<String, ?> configs, boolean isKey) {
		this.events.configure(configs, isKey);
	}

	@Override
	public byte[] serialize(String topic, Object data) {
		throw new IllegalStateException("Worker records need headers (CloudEvents binary mode)");
	}

	@Override
	public byte[] serialize(String topic, Headers headers, Object data) {
		if (data == null || data instanceof byte[]) {
			return (byte[]) data;
		}
		if (data instanceof CloudEvent event) {
			return this.events.serialize(topic, headers, event);
		}
		throw new IllegalArgumentException("Cannot serialize a " + data.getClass().getName());
	}

	@Override
	public void close() {
		this.events.close();
	}

}
