package dev.batchline.api.http;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.api.quota.LimitsProperties;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Requests with a missing or wrong key or admin token, counted per client address in this
 * replica (a Bucket4j bucket of {@code batchline.api.limits.failed-auth-per-minute} per
 * address). An address whose bucket is empty is refused (429) before its key is looked
 * at, so guessing keys costs no database queries; a key already known to be valid still
 * passes.
 */
@Component
public class FailedAuthentications {

	private static final Duration WINDOW = Duration.ofMinutes(1);

	private final LimitsProperties limits;

	private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
		.expireAfterAccess(WINDOW.multipliedBy(2))
		.maximumSize(100_000)
		.build();

	private final Counter refused;

	FailedAuthentications(LimitsProperties limits, MeterRegistry meters) {
		this.limits = limits;
		this.refused = meters.counter("batchline.limits.refused", "limit", "failed-authentications");
	}

	/** Whether a client address has used up its failures (a lookup, nothing counted). */
	public boolean isBlocked(String client) {
		if (!this.limits.enabled()) {
			return false;
		}
		Bucket bucket = this.buckets.getIfPresent(client);
		return bucket != null && bucket.getAvailableTokens() < 1;
	}

	/** Counts a failed authentication of a client address. */
	public void record(String client) {
		if (this.limits.enabled()) {
			this.buckets.get(client, (address) -> newBucket()).tryConsume(1);
		}
	}

	/** The answer to a blocked address, counted as refused. */
	public ApiException refusal() {
		this.refused.increment();
		return new ApiException(ProblemKind.RATE_LIMITED,
				"Too many requests with a missing or wrong API key from this address; retry later")
			.retryAfter(WINDOW.toSeconds() / Math.max(1, Math.min(60, this.limits.failedAuthPerMinute())));
	}

	private Bucket newBucket() {
		long perMinute = this.limits.failedAuthPerMinute();
		return Bucket.builder().addLimit((limit) -> limit.capacity(perMinute).refillGreedy(perMinute, WINDOW)).build();
	}

}
