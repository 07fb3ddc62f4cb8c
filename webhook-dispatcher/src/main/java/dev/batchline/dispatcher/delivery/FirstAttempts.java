package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToLongFunction;

/**
 * The new deliveries of one poll of job events while their first attempts run, before any
 * of their rows is written. The dispatcher sends them at once and writes each delivery
 * once, with how its first attempt went, instead of writing it pending and then its new
 * state; the poll's offsets are committed only after that write, so a crash before it
 * loses nothing: the events are consumed again and sent again, with the same
 * {@code webhook-id}.
 * <p>
 * The poll waits for the first attempts while they move ({@link #await}). A delivery
 * whose attempt has not finished by then is written claimed by this dispatcher, and one
 * the sender gave back (its lane full, its circuit open, the sender stopping) written
 * pending, due when it was given back for; from then on it is a delivery like any other.
 * News about a delivery that comes while the rows are being written is kept and passed on
 * once they are ({@link #written}).
 */
final class FirstAttempts {

	private enum Phase {

		/** First attempts run; nothing is written. */
		SENDING,

		/** The rows are being written. */
		WRITING,

		/** The rows are written: news goes to the table like any delivery's. */
		WRITTEN,

		/** The rows could not be written: the poll is consumed again. */
		DROPPED

	}

	/**
	 * A delivery as it is to be written.
	 *
	 * @param delivery the delivery
	 * @param eventType its event's type
	 * @param outcome its first attempt, or null when it has not finished
	 * @param due when it is due, if the sender gave it back; null otherwise
	 */
	record Row(DeliveryQueue.Claimed delivery, String eventType, DeliveryQueue.Outcome outcome, Instant due) {
	}

	/**
	 * What came in while the rows were being written.
	 *
	 * @param outcomes finished attempts
	 * @param givenBack deliveries the sender gave back, with when they are due
	 */
	record Late(List<DeliveryQueue.Outcome> outcomes, Map<DeliveryQueue.Claimed, Instant> givenBack) {
	}

	private final Map<UUID, Row> rows = new LinkedHashMap<>();

	private final List<DeliveryQueue.Outcome> lateOutcomes = new ArrayList<>();

	private final Map<DeliveryQueue.Claimed, Instant> lateGivenBack = new LinkedHashMap<>();

	private Phase phase = Phase.SENDING;

	private int settled;

	/** Adds a delivery before it goes to the sender. */
	synchronized void add(DeliveryQueue.Claimed delivery, String eventType) {
		this.rows.put(delivery.id(), new Row(delivery, eventType, null, null));
	}

	synchronized List<DeliveryQueue.Claimed> deliveries() {
		return this.rows.values().stream().map(Row::delivery).toList();
	}

	synchronized boolean isEmpty() {
		return this.rows.isEmpty();
	}

	/**
	 * Takes a finished first attempt.
	 * @return false when the delivery's row is written and the attempt is to be recorded
	 * as any other
	 */
	synchronized boolean take(DeliveryQueue.Outcome outcome) {
		return switch (this.phase) {
			case SENDING -> settle(outcome.delivery(), outcome, null);
			case WRITING -> this.lateOutcomes.add(outcome);
			case DROPPED -> true;
			case WRITTEN -> false;
		};
	}

	/**
	 * Takes a delivery the sender gave back without an attempt, due again at {@code due}.
	 * @return false when the delivery's row is written and is to be postponed as any
	 * other
	 */
	synchronized boolean giveBack(DeliveryQueue.Claimed delivery, Instant due) {
		return switch (this.phase) {
			case SENDING -> settle(delivery, null, due);
			case WRITING -> {
				this.lateGivenBack.put(delivery, due);
				yield true;
			}
			case DROPPED -> true;
			case WRITTEN -> false;
		};
	}

	private boolean settle(DeliveryQueue.Claimed delivery, DeliveryQueue.Outcome outcome, Instant due) {
		Row row = this.rows.get(delivery.id());
		if (row != null && row.outcome() == null && row.due() == null) {
			this.rows.put(delivery.id(), new Row(delivery, row.eventType(), outcome, due));
			if (++this.settled == this.rows.size()) {
				notifyAll();
			}
		}
		return true;
	}

	/**
	 * Waits while the first attempts move: until all have finished or been given back, or
	 * {@code most} has passed, or none of those left is in a lane where an attempt
	 * started or ended within {@code quiet} (a slow or stuck receiver's deliveries are
	 * then written claimed, and recorded when they end).
	 * @param lastMoved when ({@link System#nanoTime()}) an attempt last started or ended
	 * in a delivery's lane
	 */
	synchronized void await(Duration quiet, Duration most, ToLongFunction<DeliveryQueue.Claimed> lastMoved)
			throws InterruptedException {
		long until = System.nanoTime() + most.toNanos();
		while (this.settled < this.rows.size()) {
			long latest = Long.MIN_VALUE;
			for (Row row : this.rows.values()) {
				if (row.outcome() == null && row.due() == null) {
					latest = Math.max(latest, lastMoved.applyAsLong(row.delivery()));
				}
			}
			long wait = Math.min(until, latest + quiet.toNanos()) - System.nanoTime();
			if (wait <= 0) {
				return;
			}
			wait(Math.max(1, wait / 1_000_000));
		}
	}

	/** Starts writing: the rows as they stand; what comes from now on is kept. */
	synchronized List<Row> close() {
		this.phase = Phase.WRITING;
		return List.copyOf(this.rows.values());
	}

	/**
	 * The rows are written.
	 * @return what came in while they were being written, to pass on
	 */
	synchronized Late written() {
		this.phase = Phase.WRITTEN;
		return new Late(List.copyOf(this.lateOutcomes), Map.copyOf(this.lateGivenBack));
	}

	/**
	 * The rows could not be written: the poll is consumed again, and the sender drops
	 * what it still holds of it.
	 */
	synchronized void dropped() {
		this.phase = Phase.DROPPED;
		this.lateOutcomes.clear();
		this.lateGivenBack.clear();
	}

	/** Whether the sender gave any of the deliveries back before they were written. */
	synchronized boolean gaveBack() {
		return this.rows.values().stream().anyMatch((row) -> row.due() != null);
	}

	synchronized boolean isDropped() {
		return this.phase == Phase.DROPPED;
	}

}
