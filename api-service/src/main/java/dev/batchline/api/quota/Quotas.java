package dev.batchline.api.quota;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketExceptions;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Service;

/**
 * The rate limits and quotas of tenants, one face for every door: a request takes a token
 * of its tenant's requests-per-second bucket, a job its items from the items-per-minute
 * bucket, and a new job or webhook endpoint is checked against the tenant's counts. The
 * buckets are Bucket4j's, kept in PostgreSQL ({@code rate_limit_buckets}, one row per
 * tenant and limit, locked while tokens are taken), so every api-service replica spends
 * the same budget. Over a limit: {@link ApiException} 429 with {@code Retry-After} and
 * the RateLimit headers.
 * <p>
 * Buckets take their own connection: call these methods outside a transaction.
 */
@Service
public class Quotas implements PolledLifecycle {

	private static final Duration LIMITS_CACHE_TTL = Duration.ofSeconds(5);

	/** The hint of {@code Retry-After} for a quota of counts (jobs, bytes, endpoints). */
	private static final long COUNT_RETRY_AFTER_SECONDS = 30;

	private static final int CLEANUP_BATCH = 1000;

	/** The share of a bucket a replica may take before it writes what it took. */
	static final long UNSYNCHRONIZED_SHARE_PERCENT = 1;

	private final LimitsProperties properties;

	private final TenantLimitsStore store;

	private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

	private final Cache<UUID, TenantLimits> limits = Caffeine.newBuilder()
		.expireAfterWrite(LIMITS_CACHE_TTL)
		.maximumSize(100_000)
		.build();

	private final Cache<String, BucketProxy> proxies = Caffeine.newBuilder()
		.expireAfterAccess(Duration.ofMinutes(10))
		.maximumSize(100_000)
		.build();

	/**
	 * Buckets this replica found empty, with the time ({@link System#nanoTime()}) their
	 * next token comes: until then a request is refused here, without a round trip.
	 */
	private final Cache<String, Long> emptyUntil = Caffeine.newBuilder()
		.expireAfterWrite(Duration.ofHours(1))
		.maximumSize(100_000)
		.build();

	/** A tenant's stored bytes, summed at most once per {@link #LIMITS_CACHE_TTL}. */
	private final Cache<UUID, Long> storedBytes = Caffeine.newBuilder()
		.expireAfterWrite(LIMITS_CACHE_TTL)
		.maximumSize(100_000)
		.build();

	private final MeterRegistry meters;

	private final PollLoop cleanup;

	Quotas(LimitsProperties properties, TenantLimitsStore store, DataSource dataSource, MeterRegistry meters) {
		this.properties = properties;
		this.store = store;
		this.meters = meters;
		this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("rate_limit_buckets")
			.idColumn("id")
			.stateColumn("state")
			.expiresAtColumn("expires_at")
			.expirationAfterWrite(
					ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
			.build();
		this.cleanup = PollLoop.named("rate-limit-bucket-cleanup", () -> {
			this.buckets.removeExpired(CLEANUP_BATCH);
			return false;
		}).pollInterval(properties.bucketCleanupInterval()).build();
	}

	/**
	 * Takes one request of a tenant's requests per second.
	 * @return where the tenant stands, for the answer's headers; null when limits are off
	 * @throws ApiException 429 {@code rate-limited} when none is left
	 */
	public RateLimitStatus request(UUID tenantId) {
		if (!this.properties.enabled()) {
			return null;
		}
		return take("requests", tenantId, limits(tenantId).requestsPerSecond(), Duration.ofSeconds(1), 1,
				"requests per second");
	}

	/**
	 * Takes one job of a tenant's jobs per second: a job costs far more than a read (a
	 * transaction, chunks, the workers' time), so a tenant flooding with jobs cannot fill
	 * the pipeline its neighbours share.
	 * @return where the tenant stands, for the answer's headers; null when limits are off
	 * @throws ApiException 429 {@code rate-limited} when none is left
	 */
	public RateLimitStatus job(UUID tenantId) {
		if (!this.properties.enabled()) {
			return null;
		}
		return take("jobs", tenantId, limits(tenantId).jobsPerSecond(), Duration.ofSeconds(1), 1, "jobs per second");
	}

	/**
	 * Takes a job's items from a tenant's items per minute.
	 * @return where the tenant stands, for the answer's headers; null when limits are off
	 * @throws ApiException 429 {@code rate-limited} when too few are left, 413
	 * {@code too-many-items} for a job larger than the whole budget
	 */
	public RateLimitStatus items(UUID tenantId, long items) {
		if (!this.properties.enabled()) {
			return null;
		}
		long perMinute = limits(tenantId).itemsPerMinute();
		if (items > perMinute) {
			throw new ApiException(ProblemKind.TOO_MANY_ITEMS, "The job has " + items
					+ " items, more than the tenant may submit in a minute (" + perMinute + "); split it");
		}
		return take("items", tenantId, perMinute, Duration.ofMinutes(1), items, "items per minute");
	}

	/**
	 * Takes one webhook replay from a tenant's replays per hour.
	 * @throws ApiException 429 {@code rate-limited} when none is left
	 */
	public RateLimitStatus replay(UUID tenantId) {
		if (!this.properties.enabled()) {
			return null;
		}
		return take("replays", tenantId, this.properties.replaysPerHour(), Duration.ofHours(1), 1, "replays per hour");
	}

	/**
	 * Checks that a tenant with {@code inFlight} unfinished jobs may start another.
	 * @throws ApiException 429 {@code quota-exceeded}
	 */
	public void jobsInFlight(UUID tenantId, long inFlight) {
		checkCount(tenantId, "jobs-in-flight", inFlight, TenantLimits::jobsInFlight,
				"unfinished jobs; wait for one to finish");
	}

	/**
	 * Checks that a tenant whose jobs store {@code storedBytes} may store more; the sum
	 * is taken at most once per {@link #LIMITS_CACHE_TTL}.
	 * @throws ApiException 429 {@code quota-exceeded}
	 */
	public void storedBytes(UUID tenantId, LongSupplier storedBytes) {
		if (!this.properties.enabled()) {
			return;
		}
		long stored = this.storedBytes.get(tenantId, (id) -> storedBytes.getAsLong());
		checkCount(tenantId, "stored-bytes", stored, TenantLimits::storedBytes,
				"bytes of input and results stored; they are freed as jobs' results expire");
	}

	/**
	 * Checks that a tenant with {@code existing} webhook endpoints may add one.
	 * @throws ApiException 429 {@code quota-exceeded}
	 */
	public void webhookEndpoints(UUID tenantId, long existing) {
		checkCount(tenantId, "webhook-endpoints", existing, TenantLimits::webhookEndpoints,
				"webhook endpoints; delete one first");
	}

	/** A tenant's limits: the defaults with its own, as the cache holds them. */
	public TenantLimits limits(UUID tenantId) {
		return this.limits.get(tenantId,
				(id) -> this.properties.defaults().with(this.store.find(id).orElse(LimitOverrides.NONE)));
	}

	/** The limits set for a tenant (nulls keep the defaults). */
	public LimitOverrides overrides(UUID tenantId) {
		return this.store.find(tenantId).orElse(LimitOverrides.NONE);
	}

	/**
	 * Sets a tenant's own limits; this replica applies them at once, others within
	 * {@link #LIMITS_CACHE_TTL}.
	 * @return the tenant's limits now
	 */
	public TenantLimits setOverrides(UUID tenantId, LimitOverrides overrides) {
		this.store.save(tenantId, overrides.checked());
		this.limits.invalidate(tenantId);
		return limits(tenantId);
	}

	private RateLimitStatus take(String name, UUID tenantId, long quota, Duration window, long tokens, String what) {
		String key = key(name, tenantId, quota);
		long windowSeconds = window.toSeconds();
		Long emptyUntil = this.emptyUntil.getIfPresent(key);
		if (emptyUntil != null && System.nanoTime() - emptyUntil < 0) {
			// known empty: refused without a round trip, so a flood costs the database
			// nothing
			throw refused(name, quota, windowSeconds, 0, RateLimitStatus.seconds(emptyUntil - System.nanoTime()), what);
		}
		ConsumptionProbe probe;
		try {
			probe = this.proxies.get(key, (id) -> bucket(id, quota, window)).tryConsumeAndReturnRemaining(tokens);
		}
		catch (BucketExceptions.BucketExecutionException ex) {
			// the buckets live in PostgreSQL: the request fails as any would without it
			throw new DataAccessResourceFailureException("The rate limits' buckets could not be read", ex);
		}
		if (probe.isConsumed()) {
			return new RateLimitStatus(name, quota, windowSeconds, probe.getRemainingTokens(),
					RateLimitStatus.seconds(probe.getNanosToWaitForReset()));
		}
		if (probe.getRemainingTokens() == 0) {
			// no token comes before the refill: every replica can wait that long
			this.emptyUntil.put(key, System.nanoTime() + probe.getNanosToWaitForRefill());
		}
		throw refused(name, quota, windowSeconds, probe.getRemainingTokens(),
				RateLimitStatus.seconds(probe.getNanosToWaitForRefill()), what);
	}

	private ApiException refused(String name, long quota, long windowSeconds, long remaining, long retryAfterSeconds,
			String what) {
		long retryAfter = Math.max(1, retryAfterSeconds);
		this.meters.counter("batchline.limits.refused", "limit", name).increment();
		RateLimitStatus status = new RateLimitStatus(name, quota, windowSeconds, remaining, retryAfter);
		ApiException refused = new ApiException(ProblemKind.RATE_LIMITED,
				"The tenant is over its limit of " + quota + " " + what + "; retry after " + retryAfter + " s");
		status.headers().forEach(refused::header);
		return refused.retryAfter(retryAfter);
	}

	/**
	 * A bucket's proxy in this replica, kept for reuse. It takes tokens from its own copy
	 * of the bucket and writes what it took to the row at least every
	 * {@code bucket-sync-interval} (100 ms), and before it has taken more than
	 * {@value #UNSYNCHRONIZED_SHARE_PERCENT}% of the bucket's capacity unwritten
	 * (Bucket4j's delaying optimization, with its batching: concurrent requests of one
	 * tenant share one round trip). Small buckets (under 100 tokens) write every token at
	 * once, as before; a busy tenant of a large one costs the database a round trip per
	 * bucket every interval, not one per request. One replica's copy is exact; with
	 * several, each may spend its unwritten share before the others see it. A batch
	 * cannot create a row that does not exist yet (it fails with
	 * {@code BucketNotFoundException}), so one plain call creates it first; the cache
	 * runs this once per key, while the concurrent requests for the key wait.
	 */
	private BucketProxy bucket(String key, long quota, Duration window) {
		BucketConfiguration configuration = configuration(quota, window);
		this.buckets.builder().build(key, () -> configuration).getAvailableTokens();
		long share = quota * UNSYNCHRONIZED_SHARE_PERCENT / 100;
		Optimization optimization = (share > 0)
				? Optimizations.delaying(new DelayParameters(share, this.properties.bucketSyncInterval()))
				: Optimizations.batching();
		return this.buckets.builder().withOptimization(optimization).build(key, () -> configuration);
	}

	/**
	 * The tokens a bucket's row holds now: what a replica that has taken none of them
	 * sees.
	 */
	long tokensStored(String name, UUID tenantId, long quota, Duration window) {
		return this.buckets.builder()
			.build(key(name, tenantId, quota), () -> configuration(quota, window))
			.getAvailableTokens();
	}

	/**
	 * A bucket's key: the quota is part of it, so a changed limit starts a bucket of its
	 * own.
	 */
	private static String key(String name, UUID tenantId, long quota) {
		return name + ":" + tenantId + ":" + quota;
	}

	private static BucketConfiguration configuration(long quota, Duration window) {
		return BucketConfiguration.builder()
			.addLimit((limit) -> limit.capacity(quota).refillGreedy(quota, window))
			.build();
	}

	private void checkCount(UUID tenantId, String name, long used, ToLongFunction<TenantLimits> limitOf, String what) {
		if (!this.properties.enabled()) {
			return;
		}
		long limit = limitOf.applyAsLong(limits(tenantId));
		if (used < limit) {
			return;
		}
		this.meters.counter("batchline.limits.refused", "limit", name).increment();
		RateLimitStatus status = new RateLimitStatus(name, limit, 0, Math.max(0, limit - used),
				COUNT_RETRY_AFTER_SECONDS);
		ApiException refused = new ApiException(ProblemKind.QUOTA_EXCEEDED,
				"The tenant has " + used + " of its " + limit + " " + what, Map.of("limit", name));
		status.headers().forEach(refused::header);
		throw refused.retryAfter(COUNT_RETRY_AFTER_SECONDS);
	}

	@Override
	public PollLoop pollLoop() {
		return this.cleanup;
	}

}
