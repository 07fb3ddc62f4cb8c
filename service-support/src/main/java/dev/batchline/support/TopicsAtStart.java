package dev.batchline.support;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;
import org.springframework.retry.backoff.BackOffInterruptedException;
import org.springframework.retry.support.RetryTemplate;

/**
 * Creates the declared topics when Kafka could not be reached as the service started.
 * Spring's {@link KafkaAdmin} tries once, logs, and goes on; left at that, the first
 * record sent would create a topic with the broker's defaults (the wrong partitions). So
 * once the service has started, a thread of its own calls {@link KafkaAdmin#initialize()}
 * again through spring-retry, with a growing pause, for a bounded number of attempts; the
 * service does not wait for it (a submission never waits for Kafka: the outbox holds).
 */
public class TopicsAtStart implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(TopicsAtStart.class);

	private final KafkaAdmin admin;

	private final RetryTemplate retries;

	private final int attempts;

	private volatile Thread thread;

	/**
	 * @param admin the admin that declares the topics
	 * @param attempts the most calls in all
	 * @param firstPause the pause after the first failed call, doubling up to
	 * {@code maxPause}
	 * @param maxPause the longest pause
	 */
	public TopicsAtStart(KafkaAdmin admin, int attempts, Duration firstPause, Duration maxPause) {
		this.admin = admin;
		this.attempts = attempts;
		this.retries = RetryTemplate.builder()
			.maxAttempts(attempts)
			.exponentialBackoff(firstPause.toMillis(), 2, maxPause.toMillis())
			.retryOn(KafkaUnreachableException.class)
			.build();
		this.retries.registerListener(new RetryListener() {
			@Override
			public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
					Throwable failure) {
				log.warn("Topics not declared yet (attempt {} of {}): {}", context.getRetryCount(),
						TopicsAtStart.this.attempts, String.valueOf(failure.getCause()));
			}
		});
	}

	/**
	 * Declares the topics, trying again while Kafka cannot be reached.
	 * @return whether they were declared (false once every attempt failed)
	 */
	public boolean declare() {
		try {
			return this.retries.execute((context) -> initialize());
		}
		catch (BackOffInterruptedException ex) {
			// the service is stopping
			return false;
		}
		catch (KafkaUnreachableException ex) {
			log.error("Topics not declared after {} attempts ({}); records sent before they exist create them "
					+ "with the broker's defaults", this.attempts, String.valueOf(ex.getCause()));
			return false;
		}
	}

	/**
	 * One call of the admin: false while the context starts, an exception after, when the
	 * cluster cannot be reached.
	 */
	private boolean initialize() {
		try {
			if (this.admin.initialize()) {
				return true;
			}
			throw new KafkaUnreachableException(null);
		}
		catch (IllegalStateException ex) {
			throw new KafkaUnreachableException(ex);
		}
	}

	@Override
	public void start() {
		this.thread = Thread.ofPlatform().name("kafka-topics").daemon().start(this::declare);
	}

	@Override
	public void stop() {
		Thread running = this.thread;
		if (running != null) {
			running.interrupt();
		}
		this.thread = null;
	}

	@Override
	public boolean isRunning() {
		return this.thread != null;
	}

	/** {@link KafkaAdmin#initialize()} could not reach the cluster. */
	static final class KafkaUnreachableException extends RuntimeException {

		KafkaUnreachableException(Throwable cause) {
			super("Kafka unreachable", cause, false, false);
		}

	}

}
