package dev.batchline.contracts;

import java.nio.charset.StandardCharsets;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace context travels as the CloudEvents distributed-tracing extension, in Kafka's
 * binary mode the {@code ce_traceparent} and {@code ce_tracestate} headers.
 */
class TraceContextTests {

	private static final TraceContext TRACE = new TraceContext(
			"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=value");

	@Test
	void travelsAsTheCeTraceparentAndCeTracestateHeadersOfABinaryModeRecord() {
		CloudEvent event = TraceContext.attach(CloudEventRecords.event("dev.batchline.test", "test", "job", "x"),
				TRACE);
		RecordHeaders headers = new RecordHeaders();
		byte[] value;
		try (CloudEventSerializer serializer = new CloudEventSerializer()) {
			value = serializer.serialize("topic", headers, event);
		}
		assertThat(new String(headers.lastHeader("ce_traceparent").value(), StandardCharsets.UTF_8))
			.isEqualTo(TRACE.traceparent());
		assertThat(new String(headers.lastHeader("ce_tracestate").value(), StandardCharsets.UTF_8))
			.isEqualTo("vendor=value");
		try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
			assertThat(TraceContext.of(deserializer.deserialize("topic", headers, value))).isEqualTo(TRACE);
		}
		assertThat(TRACE.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
	}

	@Test
	void anEventWithoutTheExtensionCarriesNoContextAndNoneIsAdded() {
		CloudEvent event = CloudEventRecords.event("dev.batchline.test", "test", "job", "x");
		assertThat(TraceContext.of(event)).isNull();
		assertThat(TraceContext.attach(event, null)).isSameAs(event);
		assertThat(TraceContext.of(" ", null)).isNull();
		assertThat(TraceContext.of(TRACE.traceparent(), "")).isEqualTo(new TraceContext(TRACE.traceparent(), null));
	}

}
