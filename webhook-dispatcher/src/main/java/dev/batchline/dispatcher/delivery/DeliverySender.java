package dev.batchline.dispatcher.delivery;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.contracts.webhooks.WebhookPayload;
import dev.batchline.contracts.webhooks.WebhookSigner;
import dev.batchline.dispatcher.signing.MessageSigner;
import dev.batchline.support.PollLoop;
import dev.batchline.support.WebhookProperties;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends due deliveries. Each claimed delivery is attempted on its own virtual thread,
 * within a global limit; per destination a bulkhead caps the attempts in flight and a
 * circuit breaker (open after consecutive failures, one probe after a pause) stops
 * hammering a receiver that is down, so a slow or dead receiver never holds up deliveries
 * to healthy ones. Due deliveries are claimed by a {@link PollLoop}, up to the free
 * slots, every poll interval or as soon as deliveries are planned or attempts finish.
 */
@Component
class DeliverySender implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliverySender.class);

	private static final Duration BULKHEAD_FULL_PAUSE = Duration.ofMillis(500);

	private static final int WAITING_PER_SLOT = 8;

	private final DeliveryQueue queue;

	private final WebhookClient client;

	private final MessageSigner signer;

	private final GoneEndpoints gone;

	private final WebhookProperties properties;

	private final RetrySchedule schedule;

	private final MeterRegistry meters;

	private final CircuitBreakerRegistry breakers;

	private final BulkheadRegistry bulkheads;

	private final Semaphore inFlight;

	private final Map<String, Queue<DeliveryQueue.Claimed>> waiting = new ConcurrentHashMap<>();

	private final PollLoop loop;

	private ExecutorService attempts;

	DeliverySender(DeliveryQueue queue, WebhookClient client, MessageSigner signer, GoneEndpoints gone,
			WebhookProperties properties, MeterRegistry meters) {
		this.queue = queue;
		this.client = client;
		this.signer = signer;
		this.gone = gone;
		this.properties = properties;
		this.schedule = new RetrySchedule(properties.retrySchedule(), properties.jitter(), properties.retryAfterCap());
		this.meters = meters;
		int threshold = properties.circuitFailureThreshold();
		this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(threshold)
			.minimumNumberOfCalls(threshold)
			.failureRateThreshold(100)
			.waitDurationInOpenState(properties.circuitOpenDuration())
			.permittedNumberOfCallsInHalfOpenState(1)
			.build());
		this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
			.maxConcurrentCalls(properties.perEndpointConcurrency())
			.maxWaitDuration(Duration.ZERO)
			.build());
		this.inFlight = new Semaphore(properties.maxConcurrency());
		meters.gauge("batchline.webhooks.pending", queue, DeliveryQueue::pending);
		meters.gauge("batchline.webhooks.oldest.pending.age.seconds", queue, DeliveryQueue::oldestPendingAgeSeconds);
		this.loop = PollLoop.named("webhook-sender", this::claimAndDispatch)
			.pollInterval(properties.pollInterval())
			.stopGrace(properties.timeout())
			.build();
	}

	/** New deliveries were planned (or attempts finished): look at the queue now. */
	void wakeUp() {
		this.loop.wakeUp();
	}

	@Override
	public void start() {
		this.attempts = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-", 0).factory());
		this.loop.start();
	}

	@Override
	public void stop() {
		this.loop.stop();
		try {
			this.attempts.shutdown();
			// attempts in flight finish and record; anything cut off is retried when its
			// lease ends
			this.attempts.awaitTermination(this.properties.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

	/**
	 * One round: claims due deliveries up to the free slots and starts them.
	 * @return whether it claimed any: more may be due, and the next round follows at once
	 */
	private boolean claimAndDispatch() {
		int free = this.inFlight.availablePermits();
		List<DeliveryQueue.Claimed> due = (free > 0)
				? this.queue.claimDue(Math.min(free, this.properties.batchSize()), lease()) : List.of();
		for (DeliveryQueue.Claimed delivery : due) {
			dispatch(delivery);
		}
		drainWaiting();
		return !due.isEmpty();
	}

	/**
	 * Starts an attempt when its destination has a free slot; otherwise parks it in
	 * memory behind the destination's attempts in flight (without taking a global slot),
	 * or, when too many wait already, hands it back to the queue for a little later.
	 */
	private void dispatch(DeliveryQueue.Claimed delivery) {
		String destination = destinationKey(delivery);
		Bulkhead bulkhead = this.bulkheads.bulkhead(destination);
		if (bulkhead.tryAcquirePermission()) {
			start(delivery, destination, bulkhead);
			return;
		}
		Queue<DeliveryQueue.Claimed> waiting = this.waiting.computeIfAbsent(destination,
				(key) -> new ConcurrentLinkedQueue<>());
		if (waiting.size() < this.properties.perEndpointConcurrency() * WAITING_PER_SLOT) {
			waiting.add(delivery);
		}
		else {
			this.queue.postpone(delivery, BULKHEAD_FULL_PAUSE);
		}
	}

	/** Starts parked deliveries whose destination has a free slot again. */
	private void drainWaiting() {
		this.waiting.forEach((destination, waiting) -> {
			Bulkhead bulkhead = this.bulkheads.bulkhead(destination);
			while (!waiting.isEmpty() && bulkhead.tryAcquirePermission()) {
				DeliveryQueue.Claimed next = waiting.poll();
				if (next == null) {
					bulkhead.onComplete();
					break;
				}
				start(next, destination, bulkhead);
			}
		});
	}

	/** Runs attempts to one destination, then the ones parked behind it, in one slot. */
	private void start(DeliveryQueue.Claimed first, String destination, Bulkhead bulkhead) {
		this.inFlight.acquireUninterruptibly();
		this.attempts.execute(() -> {
			try {
				Queue<DeliveryQueue.Claimed> waiting = this.waiting.get(destination);
				DeliveryQueue.Claimed delivery = first;
				while (delivery != null) {
					attempt(delivery, destination);
					delivery = (waiting != null && this.loop.isRunning()) ? waiting.poll() : null;
				}
			}
			finally {
				bulkhead.onComplete();
				this.inFlight.release();
				wakeUp();
			}
		});
	}

	/**
	 * How long a claim holds: well past an attempt's timeout, so a delivery is re-claimed
	 * only when its sender is gone.
	 */
	private Duration lease() {
		return this.properties.timeout().multipliedBy(4).plusSeconds(30);
	}

	void attempt(DeliveryQueue.Claimed delivery, String destination) {
		if (!delivery.endpointEnabled()) {
			this.queue.abandon(delivery, "the endpoint was disabled or deleted");
			return;
		}
		CircuitBreaker breaker = this.breakers.circuitBreaker(destination);
		if (!breaker.tryAcquirePermission()) {
			this.queue.postpone(delivery, this.properties.circuitOpenDuration());
			return;
		}
		if (!this.queue.renew(delivery, lease())) {
			// it waited here past its lease and another sender has it now
			breaker.releasePermission();
			log.info("Webhook {} left to the sender that claimed it after this one's lease ran out", delivery.id());
			return;
		}
		Attempt attempt = send(delivery);
		if (attempt.delivered()) {
			breaker.onSuccess(attempt.latency().toNanos(), TimeUnit.NANOSECONDS);
		}
		else {
			breaker.onError(attempt.latency().toNanos(), TimeUnit.NANOSECONDS,
					new IOException(String.valueOf(attempt.error())));
		}
		finish(delivery, attempt);
	}

	private Attempt send(DeliveryQueue.Claimed delivery) {
		Instant at = Instant.now();
		long start = System.nanoTime();
		String messageId = WebhookPayload.messageId(delivery.eventId());
		try {
			long timestamp = at.getEpochSecond();
			String signature = this.signer.sign(delivery.endpointId(), delivery.tenantId(), messageId, timestamp,
					delivery.payload());
			Map<String, String> headers = Map.of(WebhookSigner.ID_HEADER, messageId, WebhookSigner.TIMESTAMP_HEADER,
					Long.toString(timestamp), WebhookSigner.SIGNATURE_HEADER, signature);
			WebhookClient.Answer answer = this.client.post(delivery.url(), headers, delivery.payload());
			Duration latency = Duration.ofNanos(System.nanoTime() - start);
			boolean ok = answer.statusCode() >= 200 && answer.statusCode() < 300;
			return new Attempt(at, answer.statusCode(), latency, ok ? null : "HTTP " + answer.statusCode(),
					answer.excerpt(), answer.retryAfter(), false);
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

	private void finish(DeliveryQueue.Claimed delivery, Attempt attempt) {
		int attemptsMade = delivery.attempts() + 1;
		String outcome;
		Instant next = null;
		if (attempt.delivered()) {
			outcome = "delivered";
		}
		else if (attempt.gone() || attempt.permanent()) {
			outcome = "failed";
			if (attempt.gone() && delivery.endpointId() != null) {
				this.gone.disable(delivery);
			}
		}
		else {
			Duration pause = this.schedule.next(attemptsMade, attempt.retryAfter());
			next = (pause != null) ? Instant.now().plus(pause) : null;
			outcome = (next != null) ? "retry" : "failed";
		}
		this.queue.record(delivery, attempt, next, attempt.delivered());
		Timer.builder("batchline.webhooks.attempt.latency")
			.tag("outcome", attempt.delivered() ? "success" : "failure")
			.publishPercentileHistogram()
			.register(this.meters)
			.record(attempt.latency());
		this.meters.counter("batchline.webhooks.deliveries", "outcome", outcome).increment();
		if (attempt.delivered()) {
			log.debug("Job(id={}) webhook {} delivered to {} on attempt {}", delivery.jobId(), delivery.id(),
					delivery.url(), attemptsMade);
		}
		else {
			log.info("Job(id={}) webhook {} attempt {} to {} failed ({}): {}", delivery.jobId(), delivery.id(),
					attemptsMade, delivery.url(), attempt.error(), (next != null) ? "next at " + next : "gave up");
		}
	}

	/** Limits are per endpoint, and per receiving host for jobs' own callback URLs. */
	private static String destinationKey(DeliveryQueue.Claimed delivery) {
		if (delivery.endpointId() != null) {
			return delivery.destination();
		}
		try {
			URI uri = URI.create(delivery.url());
			return "callback:" + uri.getHost() + ":" + uri.getPort();
		}
		catch (IllegalArgumentException ex) {
			return "callback:" + delivery.url();
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
