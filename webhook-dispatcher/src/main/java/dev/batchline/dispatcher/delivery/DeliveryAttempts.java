package dev.batchline.dispatcher.delivery;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.TraceContext;
import dev.batchline.contracts.webhooks.LoggedUrls;
import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.contracts.webhooks.WebhookSigner;
import dev.batchline.dispatcher.signing.MessageSigner;
import dev.batchline.support.WebhookProperties;
import dev.batchline.support.tracing.JobTracing;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * One attempt of a delivery the {@link DeliverySender} holds: the lane's circuit breaker,
 * the claim renewed if the delivery waited long, the message signed and POSTed, the
 * outcome (delivered, retry at the schedule's next time, or failed) counted and handed to
 * the {@link AttemptLog}; a {@code 410 Gone} asks for its endpoint to be disabled.
 */
@Component
class DeliveryAttempts {

	private static final Logger log = LoggerFactory.getLogger(DeliveryAttempts.class);

	/** The outcomes of {@code batchline.webhooks.deliveries}. */
	private static final String DELIVERED = "delivered";

	private static final String RETRY = "retry";

	private static final String FAILED = "failed";

	private final DeliveryQueue queue;

	private final AttemptLog attemptLog;

	private final WebhookClient client;

	private final MessageSigner signer;

	private final DisabledEndpoints disabled;

	private final WebhookProperties properties;

	private final RetrySchedule schedule;

	private final Duration lease;

	private final MeterRegistry meters;

	private final Timer delivered;

	private final Timer failed;

	private final JobTracing tracing;

	DeliveryAttempts(DeliveryQueue queue, AttemptLog attemptLog, WebhookClient client, MessageSigner signer,
			DisabledEndpoints disabled, WebhookProperties properties, MeterRegistry meters, JobTracing tracing) {
		this.queue = queue;
		this.tracing = tracing;
		this.attemptLog = attemptLog;
		this.client = client;
		this.signer = signer;
		this.disabled = disabled;
		this.properties = properties;
		this.schedule = new RetrySchedule(properties.retrySchedule(), properties.jitter(), properties.retryAfterCap());
		this.lease = DeliverySender.lease(properties);
		this.meters = meters;
		this.delivered = attemptTimer(meters, "success");
		this.failed = attemptTimer(meters, "failure");
		// at 0 from the start: an alert on increase() misses a counter's first increment
		// when the series only appears with it
		for (String outcome : List.of(DELIVERED, RETRY, FAILED)) {
			meters.counter("batchline.webhooks.deliveries", "outcome", outcome);
		}
	}

	private static Timer attemptTimer(MeterRegistry meters, String outcome) {
		return Timer.builder("batchline.webhooks.attempt.latency")
			.tag("outcome", outcome)
			.publishPercentileHistogram()
			.register(meters);
	}

	/**
	 * Makes one attempt of a held delivery in its lane: abandoned when its endpoint was
	 * disabled, postponed while the lane's circuit is open, and handed to the attempt log
	 * with its outcome.
	 */
	void attempt(DeliveryQueue.Claimed delivery, Lane lane) {
		// what is logged about the delivery names its job
		try (JobTracing.Scope scope = JobTracing.Scope.job(delivery.jobId())) {
			attemptNow(delivery, lane);
		}
	}

	private void attemptNow(DeliveryQueue.Claimed delivery, Lane lane) {
		if (delivery.first() != null && delivery.first().isDropped()) {
			// its poll could not be written and is consumed again
			return;
		}
		if (!delivery.endpointEnabled()) {
			this.queue.abandon(delivery, "the endpoint was disabled or deleted");
			return;
		}
		CircuitBreaker breaker = lane.breaker();
		if (!breaker.tryAcquirePermission()) {
			this.queue.postpone(delivery, this.properties.circuitOpenDuration());
			return;
		}
		if (heldLong(delivery) && !this.queue.renew(delivery, this.lease)) {
			// it waited here past its lease and another sender has it now
			breaker.releasePermission();
			log.info("Webhook {} left to the sender that claimed it after this one's lease ran out", delivery.id());
			return;
		}
		Attempt attempt = send(delivery);
		lane.tookTime(attempt.latency());
		if (attempt.delivered()) {
			breaker.onSuccess(attempt.latency().toNanos(), TimeUnit.NANOSECONDS);
		}
		else {
			breaker.onError(attempt.latency().toNanos(), TimeUnit.NANOSECONDS,
					new IOException(String.valueOf(attempt.error())));
		}
		finish(delivery, attempt);
	}

	/**
	 * Whether a delivery has been held long enough that its claim must be renewed before
	 * the attempt: past half its lease, as only a delivery that waited behind a slow lane
	 * is.
	 */
	private boolean heldLong(DeliveryQueue.Claimed delivery) {
		return System.nanoTime() - delivery.claimedAt() > this.lease.toNanos() / 2;
	}

	private Attempt send(DeliveryQueue.Claimed delivery) {
		Instant at = Instant.now();
		long start = System.nanoTime();
		String messageId = WebhookPayload.messageId(delivery.eventId());
		try {
			long timestamp = at.getEpochSecond();
			String signature = this.signer.sign(delivery.secrets(), messageId, timestamp, delivery.payload());
			Map<String, String> headers = new HashMap<>(8);
			headers.put(WebhookSigner.ID_HEADER, messageId);
			headers.put(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp));
			headers.put(WebhookSigner.SIGNATURE_HEADER, signature);
			WebhookClient.Answer answer = post(delivery, headers);
			Duration latency = Duration.ofNanos(System.nanoTime() - start);
			boolean ok = answer.statusCode() >= 200 && answer.statusCode() < 300;
			boolean abort = !ok && answer.abort();
			String error = ok ? null : abort
					? "HTTP " + answer.statusCode() + ", and the receiver asked to stop retrying" + " this message ("
							+ WebhookClient.DELIVERY_HEADER + ": " + WebhookClient.ABORT_MESSAGE + ")"
					: "HTTP " + answer.statusCode();
			return new Attempt(at, answer.statusCode(), latency, error, answer.excerpt(), answer.retryAfter(), abort);
		}
		catch (IOException ex) {
			return new Attempt(at, null, Duration.ofNanos(System.nanoTime() - start), ex.toString(), null, null, false);
		}
		catch (UrlPolicy.ForbiddenUrlException ex) {
			return new Attempt(at, null, Duration.ofNanos(System.nanoTime() - start),
					"forbidden URL: " + ex.getMessage(), null, null, true);
		}
		catch (RuntimeException ex) {
			UrlPolicy.ForbiddenUrlException forbidden = forbiddenCause(ex);
			String error = (forbidden != null) ? "forbidden URL: " + forbidden.getMessage() : ex.toString();
			return new Attempt(at, null, Duration.ofNanos(System.nanoTime() - start), error, null, null,
					forbidden != null);
		}
	}

	/**
	 * Posts a delivery; one of a job's is a client span of the job's trace, whose context
	 * the request carries in the W3C {@code traceparent} and {@code tracestate} headers.
	 */
	private WebhookClient.Answer post(DeliveryQueue.Claimed delivery, Map<String, String> headers) throws IOException {
		if (delivery.trace() == null) {
			return this.client.post(delivery.url(), headers, delivery.payload());
		}
		try (JobTracing.Step step = this.tracing.start("webhook POST", Span.Kind.CLIENT, delivery.jobId(),
				delivery.trace()); JobTracing.Scope scope = step.open()) {
			step.tag("batchline.webhook.delivery", delivery.id().toString());
			TraceContext trace = step.context();
			headers.put(TraceContext.TRACEPARENT, trace.traceparent());
			if (trace.tracestate() != null) {
				headers.put(TraceContext.TRACESTATE, trace.tracestate());
			}
			try {
				WebhookClient.Answer answer = this.client.post(delivery.url(), headers, delivery.payload());
				step.tag("http.response.status_code", Integer.toString(answer.statusCode()));
				return answer;
			}
			catch (IOException | RuntimeException ex) {
				step.error(ex);
				throw ex;
			}
		}
	}

	private void finish(DeliveryQueue.Claimed delivery, Attempt attempt) {
		int attemptsMade = delivery.attempts() + 1;
		String outcome;
		Instant next = null;
		if (attempt.delivered()) {
			outcome = DELIVERED;
		}
		else if (attempt.gone() || attempt.permanent()) {
			outcome = FAILED;
			if (attempt.gone() && delivery.endpointId() != null) {
				this.disabled.disable(delivery, DisabledEndpoints.GONE);
			}
		}
		else {
			Duration pause = this.schedule.next(attemptsMade, attempt.retryAfter());
			next = (pause != null) ? Instant.now().plus(pause) : null;
			outcome = (next != null) ? RETRY : FAILED;
		}
		this.attemptLog.add(new DeliveryQueue.Outcome(delivery, attempt, next));
		(attempt.delivered() ? this.delivered : this.failed).record(attempt.latency());
		this.meters.counter("batchline.webhooks.deliveries", "outcome", outcome).increment();
		if (attempt.delivered()) {
			log.debug("Job(id={}) webhook {} delivered to {} on attempt {}", delivery.jobId(), delivery.id(),
					LoggedUrls.origin(delivery.url()), attemptsMade);
		}
		else {
			log.info("Job(id={}) webhook {} attempt {} to {} failed ({}): {}", delivery.jobId(), delivery.id(),
					attemptsMade, LoggedUrls.origin(delivery.url()), attempt.error(),
					(next != null) ? "next at " + next : "gave up");
		}
	}

	private static UrlPolicy.ForbiddenUrlException forbiddenCause(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof UrlPolicy.ForbiddenUrlException forbidden) {
				return forbidden;
			}
		}
		return null;
	}

}
