package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * One destination's deliveries in this dispatcher (an endpoint, or the host of jobs'
 * callback URLs): those claimed and waiting for a slot, its bulkhead (attempts in flight)
 * and circuit breaker, and how long its attempts take, which bounds how many may wait: no
 * more than its slots can send within half a lease, so a slow receiver's deliveries are
 * not held here until their claims run out.
 */
final class Lane {

	/** Assumed attempt latency before the first attempt has finished. */
	private static final double FIRST_LATENCY_MILLIS = 1000;

	private static final double SMOOTHING = 0.2;

	private final String destination;

	private final Bulkhead bulkhead;

	private final CircuitBreaker breaker;

	private final int slots;

	private final long halfLeaseMillis;

	private final Deque<DeliveryQueue.Claimed> waiting = new ConcurrentLinkedDeque<>();

	private final AtomicInteger size = new AtomicInteger();

	private volatile double latencyMillis = FIRST_LATENCY_MILLIS;

	/** Until when ({@link System#nanoTime()}) the lane waits for a token, if it does. */
	private volatile long pausedUntil;

	/** When ({@link System#nanoTime()}) an attempt last started or ended here. */
	private volatile long lastMoved = System.nanoTime();

	Lane(String destination, Bulkhead bulkhead, CircuitBreaker breaker, int slots, Duration lease) {
		this.destination = destination;
		this.bulkhead = bulkhead;
		this.breaker = breaker;
		this.slots = slots;
		this.halfLeaseMillis = lease.toMillis() / 2;
	}

	String destination() {
		return this.destination;
	}

	Bulkhead bulkhead() {
		return this.bulkhead;
	}

	CircuitBreaker breaker() {
		return this.breaker;
	}

	/**
	 * Queues a delivery unless as many wait as the lane's slots can send within half a
	 * lease.
	 * @return whether it was queued
	 */
	boolean offer(DeliveryQueue.Claimed delivery) {
		long room = Math.max(this.slots, Math.round(this.slots * this.halfLeaseMillis / this.latencyMillis));
		if (delivery.rateLimit() != null) {
			room = Math.min(room, Math.max(1, delivery.rateLimit() * this.halfLeaseMillis / 1000));
		}
		if (this.size.get() >= room) {
			return false;
		}
		this.size.incrementAndGet();
		this.waiting.add(delivery);
		return true;
	}

	/** The next waiting delivery, or null. */
	DeliveryQueue.Claimed poll() {
		DeliveryQueue.Claimed next = this.waiting.poll();
		if (next != null) {
			this.size.decrementAndGet();
		}
		return next;
	}

	/**
	 * Puts a delivery back at the head of the lane, which pauses until its next token.
	 */
	void waitForToken(DeliveryQueue.Claimed delivery, long nanos) {
		this.pausedUntil = System.nanoTime() + nanos;
		this.size.incrementAndGet();
		this.waiting.addFirst(delivery);
	}

	/** How long the lane still waits for a token, in nanoseconds (0: it does not). */
	long pausedFor() {
		return Math.max(0, this.pausedUntil - System.nanoTime());
	}

	boolean hasWaiting() {
		return !this.waiting.isEmpty();
	}

	/** An attempt starts or ends here. */
	void moved() {
		this.lastMoved = System.nanoTime();
	}

	/** When ({@link System#nanoTime()}) an attempt last started or ended here. */
	long lastMoved() {
		return this.lastMoved;
	}

	/** An attempt to this destination took {@code latency}. */
	void tookTime(Duration latency) {
		this.latencyMillis = (1 - SMOOTHING) * this.latencyMillis + SMOOTHING * Math.max(1, latency.toMillis());
	}

}
