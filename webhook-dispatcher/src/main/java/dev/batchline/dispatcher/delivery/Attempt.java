package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * What one delivery attempt came to.
 *
 * @param at when it started
 * @param statusCode the receiver's HTTP status, or null when there was no answer
 * @param latency how long it took
 * @param error what went wrong, or null
 * @param responseExcerpt the first bytes of the answer
 * @param retryAfter the receiver's Retry-After, or null
 * @param permanent whether trying again cannot help (e.g. a forbidden address)
 */
record Attempt(Instant at, Integer statusCode, Duration latency, String error, String responseExcerpt,
		Duration retryAfter, boolean permanent) {

	boolean delivered() {
		return this.statusCode != null && this.statusCode >= 200 && this.statusCode < 300;
	}

	boolean gone() {
		return this.statusCode != null && this.statusCode == 410;
	}

}
