package dev.batchline.support;

import org.springframework.context.SmartLifecycle;

/**
 * A Spring bean whose background work runs on a {@link PollLoop}: Spring starts the loop
 * with the application context and stops it (letting a round in flight finish) when the
 * context closes.
 */
public interface PolledLifecycle extends SmartLifecycle {

	/** The bean's loop. */
	PollLoop pollLoop();

	@Override
	default void start() {
		pollLoop().start();
	}

	@Override
	default void stop() {
		pollLoop().stop();
	}

	@Override
	default boolean isRunning() {
		return pollLoop().isRunning();
	}

}
