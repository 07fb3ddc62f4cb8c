package dev.batchline.dispatcher.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.batchline.support.PollLoop;
import dev.batchline.support.WebhookProperties;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Schedules deliveries: a poll's new ones for their first attempts, handed over in memory
 * ({@link FirstAttempts}), and due ones, claimed in batches by a {@link PollLoop} (every
 * poll interval, as soon as deliveries are written due, and when the deliveries held here
 * run low while more are due). Each is queued in its destination's {@link Lane}. Each
 * attempt runs on a virtual thread, within a global limit; per destination a bulkhead
 * caps the attempts in flight and a circuit breaker (open after consecutive failures, one
 * probe after a pause) stops hammering a receiver that is down, so a slow or dead
 * receiver never holds up deliveries to healthy ones. {@link DeliveryAttempts} makes each
 * attempt; the {@link AttemptLog} records them in groups.
 */
@Component
class DeliverySender implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliverySender.class);

	/** How long a delivery given back for a full lane waits before it is due again. */
	private static final Duration LANE_FULL_PAUSE = Duration.ofMillis(500);

	/** How long a lane waits when its rate limit could not be read. */
	private static final Duration RATE_LIMIT_RETRY = Duration.ofSeconds(1);

	private final DeliveryQueue queue;

	private final AttemptLog attemptLog;

	private final DeliveryAttempts attempter;

	private final WebhookProperties properties;

	private final CircuitBreakerRegistry breakers;

	private final BulkheadRegistry bulkheads;

	private final Semaphore inFlight;

	private final RateLimits rateLimits;

	/** Starts lanes again when their pause for a token ends. */
	private final ScheduledExecutorService timer = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("webhook-lane-timer").daemon().factory());

	private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

	/** Lanes with waiting deliveries that found no free global slot. */
	private final Queue<Lane> starved = new ConcurrentLinkedQueue<>();

	/** Deliveries claimed and not finished yet. */
	private final AtomicInteger held = new AtomicInteger();

	/** Whether the last claim was full, so more deliveries may be due. */
	private volatile boolean moreDue;

	private final PollLoop loop;

	private ExecutorService attempts;

	DeliverySender(DeliveryQueue queue, AttemptLog attemptLog, DeliveryAttempts attempter, RateLimits rateLimits,
			WebhookProperties properties, MeterRegistry meters) {
		this.attempter = attempter;
		this.queue = queue;
		this.rateLimits = rateLimits;
		this.attemptLog = attemptLog;
		this.properties = properties;
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

	/** Deliveries were written due or put back in the queue: look at it now. */
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
		this.timer.shutdownNow();
		try {
			this.attempts.shutdown();
			// attempts in flight finish and record; anything cut off is retried when its
			// lease ends
			this.attempts.awaitTermination(this.properties.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		giveBackWaiting();
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

	/**
	 * The most deliveries held here (claimed and not finished): sixteen per global slot.
	 * A claim tops them up when they are down to half, so claims come in batches.
	 */
	private int holdLimit() {
		return 16 * this.properties.maxConcurrency();
	}

	/**
	 * Takes a poll's new deliveries for their first attempts, as many as it has room for;
	 * the others go back to their first attempts at once, to be written due now for the
	 * next claim.
	 */
	void hand(FirstAttempts first) {
		List<DeliveryQueue.Claimed> deliveries = first.deliveries();
		int room = this.loop.isRunning() ? Math.max(0, holdLimit() - this.held.get()) : 0;
		List<DeliveryQueue.Claimed> taken = deliveries.subList(0, Math.min(room, deliveries.size()));
		this.queue.postpone(deliveries.subList(taken.size(), deliveries.size()), Duration.ZERO);
		this.held.addAndGet(taken.size());
		queueInLanes(taken);
	}

	/**
	 * When ({@link System#nanoTime()}) an attempt last started or ended in the lane of a
	 * held delivery; 0 when it has none.
	 */
	long lastMoved(DeliveryQueue.Claimed delivery) {
		Lane lane = this.lanes.get(destinationKey(delivery));
		return (lane != null) ? lane.lastMoved() : 0;
	}

	/**
	 * One round: claims due deliveries up to the hold limit and queues them in their
	 * lanes.
	 * @return whether the claim was full: more may be due, and the next round follows at
	 * once
	 */
	private boolean claimAndDispatch() {
		int room = Math.min(this.properties.batchSize(), holdLimit() - this.held.get());
		if (room <= 0 || this.attemptLog.backlog() > holdLimit()) {
			// the next finished attempts (or recorded groups) wake the loop
			this.moreDue = true;
			return false;
		}
		List<DeliveryQueue.Claimed> due = this.queue.claimDue(room, lease());
		this.held.addAndGet(due.size());
		this.moreDue = due.size() == room;
		queueInLanes(due);
		return this.moreDue;
	}

	/**
	 * Queues held deliveries in their lanes and starts what can start; a delivery whose
	 * lane is full goes back to the queue for a little later.
	 */
	private void queueInLanes(List<DeliveryQueue.Claimed> deliveries) {
		List<DeliveryQueue.Claimed> laneFull = new ArrayList<>();
		Set<Lane> touched = new LinkedHashSet<>();
		for (DeliveryQueue.Claimed delivery : deliveries) {
			Lane lane = lane(destinationKey(delivery));
			if (lane.offer(delivery)) {
				touched.add(lane);
			}
			else {
				laneFull.add(delivery);
			}
		}
		if (!laneFull.isEmpty()) {
			this.queue.postpone(laneFull, LANE_FULL_PAUSE);
			this.held.addAndGet(-laneFull.size());
		}
		touched.forEach(this::pump);
	}

	private Lane lane(String destination) {
		return this.lanes.computeIfAbsent(destination, (key) -> new Lane(key, this.bulkheads.bulkhead(key),
				this.breakers.circuitBreaker(key), this.properties.perEndpointConcurrency(), lease()));
	}

	/**
	 * Starts attempts on a lane while it has waiting deliveries, a free slot of its own
	 * and a free global slot; a lane left waiting for a global slot is pumped again when
	 * one frees.
	 */
	private void pump(Lane lane) {
		while (lane.hasWaiting() && lane.pausedFor() == 0 && lane.bulkhead().tryAcquirePermission()) {
			if (!this.inFlight.tryAcquire()) {
				lane.bulkhead().onComplete();
				this.starved.add(lane);
				return;
			}
			this.attempts.execute(() -> run(lane));
		}
	}

	/**
	 * Runs a lane's waiting deliveries in one of its slots, then frees the slot. It
	 * yields the slot after an attempt when another lane waits for one, so a lane with a
	 * long queue takes turns with the others.
	 */
	private void run(Lane lane) {
		try {
			DeliveryQueue.Claimed delivery;
			while (this.loop.isRunning() && (delivery = lane.poll()) != null) {
				long wait = tokenWait(delivery);
				if (wait > 0) {
					// the lane pauses without a slot; a timer starts it again
					lane.waitForToken(delivery, wait);
					this.timer.schedule(() -> pump(lane), wait, TimeUnit.NANOSECONDS);
					break;
				}
				lane.moved();
				try {
					this.attempter.attempt(delivery, lane);
				}
				finally {
					lane.moved();
					finished();
				}
				if (!this.starved.isEmpty()) {
					break;
				}
			}
		}
		finally {
			lane.bulkhead().onComplete();
			this.inFlight.release();
		}
		if (!this.loop.isRunning()) {
			return;
		}
		Lane next;
		while (this.inFlight.availablePermits() > 0 && (next = this.starved.poll()) != null) {
			pump(next);
		}
		pump(lane);
	}

	/**
	 * Takes a rate-limited endpoint's token for a delivery.
	 * @return 0 when it may go now, else the nanoseconds to wait
	 */
	private long tokenWait(DeliveryQueue.Claimed delivery) {
		if (delivery.rateLimit() == null || delivery.endpointId() == null) {
			return 0;
		}
		try {
			return this.rateLimits.take(delivery.endpointId(), delivery.rateLimit());
		}
		catch (RuntimeException ex) {
			log.warn("Webhook endpoint {}: its rate limit could not be read ({}); trying again in {}",
					delivery.endpointId(), ex.toString(), RATE_LIMIT_RETRY);
			return RATE_LIMIT_RETRY.toNanos();
		}
	}

	/** A held delivery is done with here; the loop claims more when few are left. */
	private void finished() {
		if (this.held.decrementAndGet() <= holdLimit() / 2 && this.moreDue) {
			this.moreDue = false;
			wakeUp();
		}
	}

	/**
	 * At stop: deliveries still waiting in lanes are due again at once, for this
	 * dispatcher's next start or another replica, rather than when their leases end.
	 */
	private void giveBackWaiting() {
		List<DeliveryQueue.Claimed> waiting = new ArrayList<>();
		for (Lane lane : this.lanes.values()) {
			DeliveryQueue.Claimed delivery;
			while ((delivery = lane.poll()) != null) {
				waiting.add(delivery);
			}
		}
		try {
			this.queue.postpone(waiting, Duration.ZERO);
		}
		catch (RuntimeException ex) {
			log.warn("{} claimed webhooks not given back at stop ({}); they are due again when their leases end",
					waiting.size(), ex.toString());
		}
	}

	/**
	 * How long a claim holds: well past an attempt's timeout, so a delivery is re-claimed
	 * only when its sender is gone.
	 */
	Duration lease() {
		return lease(this.properties);
	}

	static Duration lease(WebhookProperties properties) {
		return properties.timeout().multipliedBy(4).plusSeconds(30);
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

}
