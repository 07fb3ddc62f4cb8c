package dev.batchline.api.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.TransientDataAccessException;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;
import org.springframework.retry.support.RetryTemplate;

/**
 * The in-process retry of a recorder transaction (spring-retry): a transient failure of
 * PostgreSQL's (a serialization failure, a deadlock, a lock not granted) is tried again
 * after a short pause, up to {@value #ATTEMPTS} attempts in all, before the poll fails
 * and the listener's error handler replays it. Everything else fails at once.
 */
final class RecorderRetries {

	static final int ATTEMPTS = 4;

	private static final Logger log = LoggerFactory.getLogger(RecorderRetries.class);

	private RecorderRetries() {
	}

	static RetryTemplate template(MeterRegistry meters) {
		Counter transientFailures = Counter.builder("batchline.results.transient_failures")
			.description("Recorder transactions that failed for a transient database reason (each is tried again, "
					+ ATTEMPTS + " attempts in all)")
			.register(meters);
		RetryTemplate template = RetryTemplate.builder()
			.maxAttempts(ATTEMPTS)
			.exponentialBackoff(20, 4, 500)
			.retryOn(TransientDataAccessException.class)
			.traversingCauses()
			.build();
		template.registerListener(new RetryListener() {
			@Override
			public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
					Throwable failure) {
				if (!isTransient(failure)) {
					return;
				}
				transientFailures.increment();
				log.warn("Recording results failed ({} of {} attempts): {}", context.getRetryCount(), ATTEMPTS,
						failure.toString());
			}
		});
		return template;
	}

	private static boolean isTransient(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof TransientDataAccessException) {
				return true;
			}
		}
		return false;
	}

}
