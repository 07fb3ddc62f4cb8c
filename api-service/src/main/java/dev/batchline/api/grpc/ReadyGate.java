package dev.batchline.api.grpc;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * Holds a server stream's writer while the client is not reading (gRPC's
 * {@code isReady}), so a long stream is paced by its client instead of piling up in
 * memory, and stops it once the client cancelled.
 */
final class ReadyGate {

	private final ServerCallStreamObserver<?> call;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private volatile boolean cancelled;

	ReadyGate(ServerCallStreamObserver<?> call) {
		this.call = call;
		call.setOnReadyHandler(this::signal);
		call.setOnCancelHandler(() -> {
			this.cancelled = true;
			signal();
		});
	}

	/**
	 * Waits until the client can take another message.
	 * @throws io.grpc.StatusRuntimeException {@code CANCELLED} once the client cancelled
	 */
	void awaitReady() throws InterruptedException {
		this.lock.lock();
		try {
			while (!this.cancelled && !this.call.isReady()) {
				this.changed.await();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (this.cancelled) {
			throw Status.CANCELLED.withDescription("the client cancelled the stream").asRuntimeException();
		}
	}

	boolean cancelled() {
		return this.cancelled;
	}

	private void signal() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

}
