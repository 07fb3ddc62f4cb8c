package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.batchline.support.PollLoop;
import dev.batchline.support.WebhookProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records finished attempts in groups of up to 500: a group waits 10 ms for more attempts
 * before it is written, and attempts that end while it is being written go into the next
 * one, so recording costs a few statements per group, not per attempt: the attempts, the
 * deliveries' new states, and the endpoints' health, in one transaction (an endpoint
 * failing for too long is then asked to be disabled). Until its group is written a
 * delivery stays claimed (its lease holds), so a crash in between loses nothing: the
 * delivery is sent again when the lease runs out, with the same {@code webhook-id}. It
 * stops after the sender (a later phase) and writes what is left.
 */
@Component
class AttemptLog implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(AttemptLog.class);

	private static final int GROUP = 500;

	/**
	 * How long a group that is not full waits for more attempts before it is written:
	 * attempts end one by one, and without it a burst is written in many groups of a few.
	 */
	private static final Duration LINGER = Duration.ofMillis(10);

	private final DeliveryQueue queue;

	private final EndpointHealth health;

	private final DisabledEndpoints disabled;

	private final TransactionTemplate transaction;

	private final ConcurrentLinkedQueue<DeliveryQueue.Outcome> unwritten = new ConcurrentLinkedQueue<>();

	private final AtomicInteger backlog = new AtomicInteger();

	private final List<DeliveryQueue.Outcome> group = new ArrayList<>(GROUP);

	private final PollLoop loop;

	AttemptLog(DeliveryQueue queue, EndpointHealth health, DisabledEndpoints disabled,
			PlatformTransactionManager transactions, WebhookProperties properties) {
		this.queue = queue;
		this.health = health;
		this.disabled = disabled;
		this.transaction = new TransactionTemplate(transactions);
		this.loop = PollLoop.named("webhook-attempt-log", this::lingerAndWriteGroup)
			.pollInterval(properties.pollInterval())
			.backoff(Duration.ofMillis(100), Duration.ofSeconds(5))
			.build();
	}

	/**
	 * Records an attempt with the next group; a first attempt whose delivery's row is not
	 * written yet is written with that row ({@link FirstAttempts}).
	 */
	void add(DeliveryQueue.Outcome outcome) {
		FirstAttempts first = outcome.delivery().first();
		if (first != null && first.take(outcome)) {
			return;
		}
		this.unwritten.add(outcome);
		this.backlog.incrementAndGet();
		this.loop.wakeUp();
	}

	/** Attempts finished and not written yet. */
	int backlog() {
		return this.backlog.get();
	}

	/** One round of the loop: a group that is not full lingers, then it is written. */
	private boolean lingerAndWriteGroup() throws InterruptedException {
		fillGroup();
		if (!this.group.isEmpty() && this.group.size() < GROUP) {
			Thread.sleep(LINGER);
		}
		return writeGroup();
	}

	private void fillGroup() {
		DeliveryQueue.Outcome next;
		while (this.group.size() < GROUP && (next = this.unwritten.poll()) != null) {
			this.group.add(next);
		}
	}

	/**
	 * Writes one group. A group that fails to write is kept and written again after the
	 * loop's backoff.
	 */
	private boolean writeGroup() {
		fillGroup();
		if (this.group.isEmpty()) {
			return false;
		}
		List<EndpointHealth.Failing> failing = this.transaction.execute((status) -> {
			this.queue.record(this.group);
			return this.health.record(this.group);
		});
		this.backlog.addAndGet(-this.group.size());
		if (failing != null) {
			failing.forEach((endpoint) -> this.disabled.disable(endpoint.delivery(), endpoint.reason()));
		}
		this.group.clear();
		return true;
	}

	@Override
	public void start() {
		this.loop.start();
	}

	@Override
	public void stop() {
		this.loop.stop();
		// what the loop left: the sender has stopped, nothing more comes
		try {
			while (writeGroup()) {
				// next group
			}
		}
		catch (RuntimeException ex) {
			log.warn("{} finished webhook attempts were not recorded at stop ({}); their deliveries are sent again"
					+ " when their leases run out", this.backlog.get(), ex.toString());
		}
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

	@Override
	public int getPhase() {
		// stops after the sender, whose attempts it records
		return SmartLifecycle.DEFAULT_PHASE - 1;
	}

}
