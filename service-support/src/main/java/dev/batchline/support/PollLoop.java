package dev.batchline.support;

import java.time.Duration;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one loop of Batchline's background work (the outbox relay, the webhook sender, the
 * job sweeper): a platform thread of its own that runs a {@link Round} again and again.
 * <ul>
 * <li>A round that says there may be more work is followed by the next one at once.</li>
 * <li>Otherwise the loop waits for {@link #wakeUp()} or the poll interval, whichever
 * comes first, so new work is picked up at once without polling in a tight loop.</li>
 * <li>A round that throws is logged and followed by a pause that doubles from the first
 * backoff up to the longest, and is back to none after a round that succeeds.</li>
 * <li>{@link #stop()} lets a round in flight finish (up to the stop grace), then
 * interrupts it: an interrupt is how a round learns of shutdown.</li>
 * </ul>
 */
public final class PollLoop {

	private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

	private final String name;

	private final Round round;

	private final Duration pollInterval;

	private final Duration firstBackoff;

	private final Duration maxBackoff;

	private final Duration stopGrace;

	private final WorkSignal work = new WorkSignal();

	private volatile boolean running;

	private Thread thread;

	private PollLoop(Builder builder) {
		this.name = builder.name;
		this.round = builder.round;
		this.pollInterval = builder.pollInterval;
		this.firstBackoff = builder.firstBackoff;
		this.maxBackoff = builder.maxBackoff;
		this.stopGrace = builder.stopGrace;
	}

	/**
	 * A loop running {@code round} on a thread named {@code name}.
	 * @param name the thread's name, also in the loop's log lines
	 * @param round one round of work
	 * @return a builder; the poll interval is required
	 */
	public static Builder named(String name, Round round) {
		return new Builder(name, round);
	}

	/** Starts the loop's thread. */
	public synchronized void start() {
		if (this.thread != null) {
			return;
		}
		this.running = true;
		this.thread = Thread.ofPlatform().name(this.name).daemon().start(this::run);
	}

	/**
	 * There is new work (a commit wrote rows, deliveries were planned): run a round now.
	 */
	public void wakeUp() {
		this.work.signal();
	}

	/**
	 * Stops the loop: a round in flight finishes within the stop grace, else it is
	 * interrupted and given the grace once more.
	 */
	public synchronized void stop() {
		Thread stopping = this.thread;
		if (stopping == null) {
			return;
		}
		this.running = false;
		wakeUp();
		try {
			if (!stopping.join(this.stopGrace)) {
				stopping.interrupt();
				if (!stopping.join(this.stopGrace)) {
					log.warn("{} did not stop within {} after an interrupt", this.name, this.stopGrace.multipliedBy(2));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.thread = null;
	}

	/** Whether the loop is running (started and not stopped). */
	public boolean isRunning() {
		return this.running;
	}

	private void run() {
		Duration backoff = Duration.ZERO;
		while (this.running) {
			try {
				boolean more = this.round.run();
				backoff = Duration.ZERO;
				if (!more) {
					await(this.pollInterval);
				}
			}
			catch (InterruptedException ex) {
				return;
			}
			catch (Exception ex) {
				if (!this.running) {
					return;
				}
				backoff = backoff.isZero() ? this.firstBackoff : min(backoff.multipliedBy(2), this.maxBackoff);
				log.warn("{} round failed, next round in {} ms: {}", this.name, backoff.toMillis(), ex.toString());
				await(backoff);
			}
		}
	}

	private void await(Duration timeout) {
		try {
			this.work.await(timeout);
		}
		catch (InterruptedException ex) {
			this.running = false;
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/** One round of a loop's work. */
	@FunctionalInterface
	public interface Round {

		/**
		 * Does one round of work.
		 * @return whether there may be more work right away (a full batch)
		 * @throws InterruptedException when the loop is being stopped
		 * @throws Exception when the round failed; the loop backs off and goes on
		 */
		boolean run() throws Exception;

	}

	/** Settings of a {@link PollLoop}. */
	public static final class Builder {

		private final String name;

		private final Round round;

		private Duration pollInterval;

		private Duration firstBackoff = Duration.ofMillis(200);

		private Duration maxBackoff = Duration.ofSeconds(10);

		private Duration stopGrace = Duration.ofSeconds(10);

		private Builder(String name, Round round) {
			this.name = Objects.requireNonNull(name, "name");
			this.round = Objects.requireNonNull(round, "round");
		}

		/** The longest wait between rounds when nothing wakes the loop. */
		public Builder pollInterval(Duration pollInterval) {
			this.pollInterval = positive(pollInterval, "pollInterval");
			return this;
		}

		/**
		 * The pause after a failed round, doubling up to {@code max} (200 ms to 10 s).
		 */
		public Builder backoff(Duration first, Duration max) {
			this.firstBackoff = positive(first, "first backoff");
			this.maxBackoff = positive(max, "max backoff");
			return this;
		}

		/** How long {@link PollLoop#stop()} waits for a round in flight (10 s). */
		public Builder stopGrace(Duration stopGrace) {
			this.stopGrace = positive(stopGrace, "stopGrace");
			return this;
		}

		/** The loop, not started yet. */
		public PollLoop build() {
			positive(this.pollInterval, "pollInterval");
			if (this.maxBackoff.compareTo(this.firstBackoff) < 0) {
				throw new IllegalArgumentException("the max backoff is shorter than the first");
			}
			return new PollLoop(this);
		}

		private static Duration positive(Duration duration, String what) {
			if (duration == null || duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(what + " must be positive, not " + duration);
			}
			return duration;
		}

	}

}
