package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import dev.batchline.support.PollLoop;
import dev.batchline.support.WebhookProperties;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Endpoints' rate limits (messages per second, as Svix's {@code throttleRate}): a token
 * bucket per endpoint, Bucket4j's, kept in PostgreSQL ({@code webhook_rate_buckets}, a
 * row per endpoint, locked while an attempt takes its token), so every dispatcher replica
 * spends the same budget. A bucket holds a second's worth of tokens. A changed limit
 * replaces the bucket's configuration at the next attempt.
 */
@Component
class RateLimits implements SmartLifecycle {

	private static final int CLEANUP_BATCH = 1000;

	private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

	private final Map<String, BucketProxy> proxies = new ConcurrentHashMap<>();

	private final PollLoop cleanup;

	RateLimits(DataSource dataSource, WebhookProperties properties) {
		this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("webhook_rate_buckets")
			.idColumn("id")
			.stateColumn("state")
			.expiresAtColumn("expires_at")
			.expirationAfterWrite(
					ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
			.build();
		this.cleanup = PollLoop.named("webhook-rate-bucket-cleanup", () -> {
			this.buckets.removeExpired(CLEANUP_BATCH);
			return false;
		}).pollInterval(Duration.ofMinutes(5)).build();
	}

	/**
	 * Takes a token for one message to an endpoint.
	 * @param endpointId the endpoint
	 * @param perSecond its rate limit
	 * @return 0 when the message may go now, else the nanoseconds until the next token
	 */
	long take(UUID endpointId, int perSecond) {
		String key = "endpoint:" + endpointId + ":" + perSecond;
		BucketProxy bucket = this.proxies.computeIfAbsent(key, (k) -> {
			this.proxies.keySet().removeIf((other) -> other.startsWith("endpoint:" + endpointId + ":"));
			return this.buckets.builder()
				.withImplicitConfigurationReplacement(perSecond, TokensInheritanceStrategy.PROPORTIONALLY)
				.build("endpoint:" + endpointId,
						() -> BucketConfiguration.builder()
							.addLimit(
									(limit) -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
							.build());
		});
		ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
		return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
	}

	@Override
	public void start() {
		this.cleanup.start();
	}

	@Override
	public void stop() {
		this.cleanup.stop();
	}

	@Override
	public boolean isRunning() {
		return this.cleanup.isRunning();
	}

}
