package dev.batchline.support.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.TraceContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.slf4j.MDC;

/**
 * Follows a job's trace across the hops where no library carries it: from a stored or
 * received {@link TraceContext} (an outbox row, a Kafka record's CloudEvents
 * distributed-tracing extension, a webhook delivery row) to a span of this service, and
 * from that span to the context to store or send next. With tracing off
 * ({@link TracingDefaults}) no span is made and a received context is passed on as it is,
 * so that a service with tracing off does not break the trace of those with it on.
 * <p>
 * Also puts the job's id in the logging context ({@value #JOB_ID} in SLF4J's MDC) for the
 * work of a {@link Step}, so that structured logs name it on every line.
 */
public class JobTracing {

	/** The MDC key of the job a log line is about. */
	public static final String JOB_ID = "jobId";

	private static final JobTracing OFF = new JobTracing(Tracer.NOOP, Propagator.NOOP, false);

	private final Tracer tracer;

	private final Propagator propagator;

	private final boolean enabled;

	public JobTracing(Tracer tracer, Propagator propagator, boolean enabled) {
		this.tracer = tracer;
		this.propagator = propagator;
		this.enabled = enabled;
	}

	/** Tracing off: no spans, contexts passed on as received. */
	public static JobTracing off() {
		return OFF;
	}

	/** Whether spans are made and exported. */
	public boolean enabled() {
		return this.enabled;
	}

	/**
	 * The context of the current span, to store with what it starts (an outbox row).
	 * @return the context, or null when tracing is off or no span is current
	 */
	public TraceContext current() {
		if (!this.enabled) {
			return null;
		}
		Span span = this.tracer.currentSpan();
		return (span != null && !span.isNoop()) ? contextOf(span) : null;
	}

	/**
	 * Starts a step of a job: a span of the given kind, child of {@code parent}, when
	 * tracing is on and there is a parent (a job never starts a trace of its own here).
	 * Close it when the step ends.
	 * @param name the span's name
	 * @param kind the span's kind
	 * @param jobId the job
	 * @param parent the context received or stored, or null
	 * @return the step
	 */
	public Step start(String name, Span.Kind kind, UUID jobId, TraceContext parent) {
		if (!this.enabled || parent == null) {
			return new Step(null, parent, jobId);
		}
		Map<String, String> carrier = new HashMap<>(4);
		carrier.put(TraceContext.TRACEPARENT, parent.traceparent());
		if (parent.tracestate() != null) {
			carrier.put(TraceContext.TRACESTATE, parent.tracestate());
		}
		Span span = this.propagator.extract(carrier, Map::get).name(name).kind(kind).start();
		if (jobId != null) {
			span.tag("batchline.job.id", jobId.toString());
		}
		return new Step(span, parent, jobId);
	}

	private TraceContext contextOf(Span span) {
		Map<String, String> carrier = new HashMap<>(4);
		this.propagator.inject(span.context(), carrier, Map::put);
		return TraceContext.of(carrier.get(TraceContext.TRACEPARENT), carrier.get(TraceContext.TRACESTATE));
	}

	/**
	 * One step of a job in this service: a span (tracing on) or the context received
	 * (off), and the job's id for the logs.
	 */
	public final class Step implements AutoCloseable {

		private final Span span;

		private final TraceContext received;

		private final UUID jobId;

		private Step(Span span, TraceContext received, UUID jobId) {
			this.span = span;
			this.received = received;
			this.jobId = jobId;
		}

		/**
		 * The context to pass on: this step's span, or what it received when it has no
		 * span.
		 */
		public TraceContext context() {
			return (this.span != null) ? contextOf(this.span) : this.received;
		}

		/** Adds a tag to the span (nothing when there is none). */
		public Step tag(String key, String value) {
			if (this.span != null) {
				this.span.tag(key, value);
			}
			return this;
		}

		/** Records a failure on the span. */
		public void error(Throwable failure) {
			if (this.span != null) {
				this.span.error(failure);
			}
		}

		/**
		 * Makes this step current on this thread until closed: its span for what starts
		 * spans or logs (trace and span ids), and its job's id in the MDC.
		 */
		public Scope open() {
			return new Scope((this.span != null) ? JobTracing.this.tracer.withSpan(this.span) : null, this.jobId);
		}

		/** Ends the span. */
		@Override
		public void close() {
			if (this.span != null) {
				this.span.end();
			}
		}

	}

	/**
	 * A step made current on a thread (its span in scope, its job's id in the MDC);
	 * closing restores what was.
	 */
	public static final class Scope implements AutoCloseable {

		private final Tracer.SpanInScope scope;

		private final boolean jobSet;

		private final String previousJob;

		Scope(Tracer.SpanInScope scope, UUID jobId) {
			this.scope = scope;
			this.jobSet = jobId != null;
			this.previousJob = this.jobSet ? MDC.get(JOB_ID) : null;
			if (this.jobSet) {
				MDC.put(JOB_ID, jobId.toString());
			}
		}

		/**
		 * Puts a job's id in the MDC until closed, for work that has no step (no trace).
		 */
		public static Scope job(UUID jobId) {
			return new Scope(null, jobId);
		}

		@Override
		public void close() {
			if (this.scope != null) {
				this.scope.close();
			}
			if (this.jobSet) {
				if (this.previousJob != null) {
					MDC.put(JOB_ID, this.previousJob);
				}
				else {
					MDC.remove(JOB_ID);
				}
			}
		}

	}

}
