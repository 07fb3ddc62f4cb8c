package dev.batchline.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes a polling loop early: the loop waits for work up to its poll interval, and
 * whoever makes work (a commit that wrote outbox rows, a planned delivery) signals it, so
 * new work is picked up at once without polling the database in a tight loop. A signal
 * given while the loop is busy is not lost: the next wait returns at once.
 */
public final class WorkSignal {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition work = this.lock.newCondition();

	private boolean signalled;

	/** There is work: wake the waiting loop (or the next wait). */
	public void signal() {
		this.lock.lock();
		try {
			this.signalled = true;
			this.work.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits until signalled or the timeout passes, and clears the signal.
	 * @param timeout the longest wait
	 * @throws InterruptedException when the waiting thread is interrupted (shutdown)
	 */
	public void await(Duration timeout) throws InterruptedException {
		this.lock.lock();
		try {
			if (!this.signalled) {
				this.work.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			this.signalled = false;
		}
		finally {
			this.lock.unlock();
		}
	}

}
