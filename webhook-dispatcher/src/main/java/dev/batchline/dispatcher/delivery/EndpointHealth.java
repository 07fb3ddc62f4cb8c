package dev.batchline.dispatcher.delivery;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.batchline.support.WebhookProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * How each endpoint's deliveries have been going ({@code webhook_endpoint_health}): when
 * it started failing (the first failed attempt after the last delivered one), its last
 * failure and success. An endpoint that has failed without one success for
 * {@code disable-after} is to be disabled, as Svix does; it is asked for at most once a
 * day while the endpoint keeps failing. Successes of endpoints this dispatcher already
 * knows to be healthy write nothing.
 */
@Component
class EndpointHealth {

	/** How often an endpoint that keeps failing is asked to be disabled again. */
	private static final Duration ASK_AGAIN = Duration.ofDays(1);

	private final JdbcTemplate jdbc;

	private final Duration disableAfter;

	private final Set<UUID> healthy = ConcurrentHashMap.newKeySet();

	EndpointHealth(JdbcTemplate jdbc, WebhookProperties properties) {
		this.jdbc = jdbc;
		this.disableAfter = properties.disableAfter();
	}

	/**
	 * An endpoint to disable, with the delivery whose failure decided it.
	 *
	 * @param delivery the latest failed delivery to the endpoint
	 * @param failingSince when it started failing
	 */
	record Failing(DeliveryQueue.Claimed delivery, Instant failingSince) {

		String reason() {
			return "no delivery has succeeded since " + this.failingSince + " (" + failingDays() + " days)";
		}

		private long failingDays() {
			return Duration.between(this.failingSince, Instant.now()).toDays();
		}

	}

	/**
	 * Records a group of attempts' outcomes in the endpoints' health (call it in the
	 * group's transaction).
	 * @return the endpoints to disable now
	 */
	List<Failing> record(List<DeliveryQueue.Outcome> outcomes) {
		Map<UUID, Streak> streaks = new LinkedHashMap<>();
		for (DeliveryQueue.Outcome outcome : outcomes) {
			UUID endpoint = outcome.delivery().endpointId();
			if (endpoint != null) {
				streaks.computeIfAbsent(endpoint, (id) -> new Streak()).add(outcome);
			}
		}
		streaks.entrySet()
			.removeIf((entry) -> entry.getValue().failingSince == null && this.healthy.contains(entry.getKey()));
		if (streaks.isEmpty()) {
			return List.of();
		}
		List<UUID> ids = new ArrayList<>(streaks.keySet());
		List<Failing> failing = new ArrayList<>();
		this.jdbc.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement("""
					insert into webhook_endpoint_health as h (endpoint_id, failing_since, last_failure_at,
					                                          last_success_at)
					select * from unnest(?::uuid[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
					on conflict (endpoint_id) do update set
					    failing_since = case when excluded.last_success_at is not null then excluded.failing_since
					                         else coalesce(h.failing_since, excluded.failing_since) end,
					    last_failure_at = coalesce(excluded.last_failure_at, h.last_failure_at),
					    last_success_at = coalesce(excluded.last_success_at, h.last_success_at),
					    disabled_at = case when excluded.last_success_at is not null then null else h.disabled_at end
					returning endpoint_id, failing_since, disabled_at
					""");
			statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
			statement.setArray(2, connection.createArrayOf("timestamptz",
					ids.stream().map((id) -> timestamp(streaks.get(id).failingSince)).toArray()));
			statement.setArray(3, connection.createArrayOf("timestamptz",
					ids.stream().map((id) -> timestamp(streaks.get(id).lastFailure)).toArray()));
			statement.setArray(4, connection.createArrayOf("timestamptz",
					ids.stream().map((id) -> timestamp(streaks.get(id).lastSuccess)).toArray()));
			return statement;
		}, (rs) -> {
			UUID id = rs.getObject("endpoint_id", UUID.class);
			Timestamp since = rs.getTimestamp("failing_since");
			Timestamp asked = rs.getTimestamp("disabled_at");
			Streak streak = streaks.get(id);
			if (since == null) {
				this.healthy.add(id);
				return;
			}
			this.healthy.remove(id);
			Instant now = Instant.now();
			if (streak.failed != null && !since.toInstant().isAfter(now.minus(this.disableAfter))
					&& (asked == null || asked.toInstant().isBefore(now.minus(ASK_AGAIN)))) {
				failing.add(new Failing(streak.failed, since.toInstant()));
			}
		});
		if (!failing.isEmpty()) {
			this.jdbc.update((connection) -> {
				PreparedStatement statement = connection.prepareStatement(
						"update webhook_endpoint_health set disabled_at = now() where endpoint_id = any(?)");
				statement.setArray(1, connection.createArrayOf("uuid",
						failing.stream().map((f) -> f.delivery().endpointId()).toArray()));
				return statement;
			});
		}
		return failing;
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}

	/** One endpoint's outcomes in a group, in the order they were recorded. */
	private static final class Streak {

		private Instant failingSince;

		private Instant lastFailure;

		private Instant lastSuccess;

		private DeliveryQueue.Claimed failed;

		void add(DeliveryQueue.Outcome outcome) {
			Instant at = outcome.attempt().at();
			if (outcome.attempt().delivered()) {
				this.lastSuccess = later(this.lastSuccess, at);
				this.failingSince = null;
				return;
			}
			this.lastFailure = later(this.lastFailure, at);
			if (this.failingSince == null) {
				this.failingSince = at;
			}
			this.failed = outcome.delivery();
		}

		private static Instant later(Instant a, Instant b) {
			return (a == null || b.isAfter(a)) ? b : a;
		}

	}

}
