package dev.batchline.contracts;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

/**
 * A W3C trace context as Batchline carries it from hop to hop: on Kafka records in the
 * CloudEvents distributed-tracing extension (attributes {@value #TRACEPARENT} and
 * {@value #TRACESTATE}, so the {@code ce_traceparent} and {@code ce_tracestate} headers
 * in binary mode), in PostgreSQL with outbox rows and webhook deliveries, and on webhook
 * requests as the {@code traceparent} and {@code tracestate} headers.
 *
 * @param traceparent the W3C {@code traceparent} value, e.g.
 * {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}
 * @param tracestate the W3C {@code tracestate} value, or null
 */
public record TraceContext(String traceparent, String tracestate) {

	/** The CloudEvents extension attribute (and HTTP header) of the trace parent. */
	public static final String TRACEPARENT = "traceparent";

	/** The CloudEvents extension attribute (and HTTP header) of the vendors' state. */
	public static final String TRACESTATE = "tracestate";

	/**
	 * A context from stored or received values.
	 * @return the context, or null when there is no {@code traceparent}
	 */
	public static TraceContext of(String traceparent, String tracestate) {
		return (traceparent == null || traceparent.isBlank()) ? null
				: new TraceContext(traceparent, (tracestate == null || tracestate.isBlank()) ? null : tracestate);
	}

	/**
	 * The context an event carries in its distributed-tracing extension.
	 * @return the context, or null when the event carries none
	 */
	public static TraceContext of(CloudEvent event) {
		if (event == null) {
			return null;
		}
		Object parent = event.getExtension(TRACEPARENT);
		Object state = event.getExtension(TRACESTATE);
		return of((parent != null) ? parent.toString() : null, (state != null) ? state.toString() : null);
	}

	/**
	 * The event with this context in its distributed-tracing extension.
	 * @param event the event
	 * @param trace the context, or null
	 * @return the event itself when {@code trace} is null, else a copy that carries it
	 */
	public static CloudEvent attach(CloudEvent event, TraceContext trace) {
		if (trace == null) {
			return event;
		}
		CloudEventBuilder builder = CloudEventBuilder.v1(event).withExtension(TRACEPARENT, trace.traceparent());
		if (trace.tracestate() != null) {
			builder.withExtension(TRACESTATE, trace.tracestate());
		}
		return builder.build();
	}

	/** The trace id: the second field of {@code traceparent}. */
	public String traceId() {
		String[] fields = this.traceparent.split("-");
		return (fields.length >= 2) ? fields[1] : "";
	}

}
