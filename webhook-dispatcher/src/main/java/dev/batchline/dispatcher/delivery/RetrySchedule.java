package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When the next attempt of a failed delivery is due: the schedule's pause for the attempt
 * number, varied by jitter, and never sooner than the receiver's {@code Retry-After} (up
 * to a cap). Past the last pause there is no next attempt.
 *
 * @param pauses the pauses before each retry
 * @param jitter the random share of variation
 * @param retryAfterCap the longest Retry-After honoured
 */
record RetrySchedule(List<Duration> pauses, double jitter, Duration retryAfterCap) {

	/**
	 * The pause before the next attempt, after {@code attemptsMade} attempts failed.
	 * @param attemptsMade attempts made so far, at least 1
	 * @param retryAfter the receiver's Retry-After, or null
	 * @return the pause, or null when the delivery has had all its attempts
	 */
	Duration next(int attemptsMade, Duration retryAfter) {
		if (attemptsMade > this.pauses.size()) {
			return null;
		}
		Duration pause = this.pauses.get(attemptsMade - 1);
		if (this.jitter > 0) {
			double factor = 1 + ThreadLocalRandom.current().nextDouble(-this.jitter, this.jitter);
			pause = Duration.ofMillis(Math.round(pause.toMillis() * factor));
		}
		if (retryAfter != null) {
			Duration honoured = (retryAfter.compareTo(this.retryAfterCap) > 0) ? this.retryAfterCap : retryAfter;
			if (honoured.compareTo(pause) > 0) {
				pause = honoured;
			}
		}
		return pause;
	}

}
