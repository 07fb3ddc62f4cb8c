package dev.batchline.api.job;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The gauges an autoscaler and the alert rules read from the api-service:
 * {@code batchline.consumer.lag{group,topic}}, each pipeline consumer group's lag (the
 * {@link ConsumerLag} the admin page shows, summed over the partitions), and
 * {@code batchline.chunks.oldest.queued.age.seconds}, how long the oldest chunk that has
 * no result yet has been waiting (since its job was submitted; 0 when none waits). Read
 * on a {@link PollLoop} of their own every {@link BacklogMetricsProperties#interval()},
 * not at each scrape: the lag is three Kafka admin calls per group. A lag Kafka did not
 * answer, or an age PostgreSQL did not, is NaN, not a stale number.
 */
@Component
class BacklogMetrics implements PolledLifecycle {

	/**
	 * The submission time of the oldest unfinished job with a chunk not recorded yet.
	 * Unfinished jobs are few (the partial index {@code jobs_open}).
	 */
	private static final String OLDEST_QUEUED = """
			select min(created_at) from jobs
			where state in ('QUEUED', 'RUNNING', 'CANCELLING') and completed_chunks < total_chunks""";

	private final ConsumerLag lag;

	private final JdbcTemplate jdbc;

	private final MeterRegistry meters;

	private final Clock clock;

	private final Map<String, AtomicReference<Double>> lags = new ConcurrentHashMap<>();

	private final AtomicReference<Double> oldestQueuedAge = new AtomicReference<>(0.0);

	private final PollLoop loop;

	BacklogMetrics(ConsumerLag lag, JdbcTemplate jdbc, MeterRegistry meters, Clock clock,
			BacklogMetricsProperties properties) {
		this.lag = lag;
		this.jdbc = jdbc;
		this.meters = meters;
		this.clock = clock;
		Gauge.builder("batchline.chunks.oldest.queued.age.seconds", this.oldestQueuedAge, AtomicReference::get)
			.description(
					"Seconds the oldest chunk without a result has waited since its job was submitted; 0 when none")
			.register(meters);
		this.loop = PollLoop.named("backlog-metrics", () -> {
			read();
			return false;
		}).pollInterval(properties.interval()).backoff(properties.interval(), properties.interval()).build();
	}

	/** Reads the lags and the oldest queued chunk's age. */
	void read() {
		for (ConsumerLag.Lag each : this.lag.all()) {
			this.lags.computeIfAbsent(each.group() + '\u0000' + each.topic(), (key) -> register(each))
				.set((each.lag() != null) ? each.lag().doubleValue() : Double.NaN);
		}
		Timestamp oldest;
		try {
			oldest = this.jdbc.queryForObject(OLDEST_QUEUED, Timestamp.class);
		}
		catch (DataAccessException ex) {
			// unknown, not the last value read
			this.oldestQueuedAge.set(Double.NaN);
			throw ex;
		}
		this.oldestQueuedAge.set((oldest != null)
				? Math.max(0, Duration.between(oldest.toInstant(), this.clock.instant()).toMillis() / 1000.0) : 0.0);
	}

	private AtomicReference<Double> register(ConsumerLag.Lag lag) {
		AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
		Gauge.builder("batchline.consumer.lag", value, AtomicReference::get)
			.description("Records the consumer group has not consumed yet on the topic, summed over its partitions")
			.tag("group", lag.group())
			.tag("topic", lag.topic())
			.register(this.meters);
		return value;
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

}
