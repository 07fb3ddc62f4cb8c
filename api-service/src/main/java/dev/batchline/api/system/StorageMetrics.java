package dev.batchline.api.system;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code batchline.storage.bytes{table}}: the bytes PostgreSQL holds for each table the
 * api-service owns (rows, TOAST and indexes: {@code pg_total_relation_size}). Read once a
 * minute on a {@link PollLoop} of its own, not at every scrape: the size of a table is a
 * look at its files.
 */
@Component
class StorageMetrics implements PolledLifecycle {

	/** The api-service's tables (docs/architecture.md). */
	static final List<String> TABLES = List.of("tenants", "api_keys", "jobs", "job_state_history", "input_chunks",
			"chunk_custom_ids", "chunk_results", "outbox", "idempotency_keys", "webhook_endpoints");

	private static final Duration INTERVAL = Duration.ofMinutes(1);

	private final JdbcTemplate jdbc;

	private final MeterRegistry meters;

	private final Map<String, AtomicLong> bytes = new ConcurrentHashMap<>();

	private final PollLoop loop;

	StorageMetrics(JdbcTemplate jdbc, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.meters = meters;
		this.loop = PollLoop.named("storage-metrics", () -> {
			read();
			return false;
		}).pollInterval(INTERVAL).backoff(INTERVAL, INTERVAL).build();
	}

	/** Reads every table's size. */
	void read() {
		this.jdbc.query("select t, pg_total_relation_size(t::regclass) from unnest(?::text[]) t", (rs) -> {
			String table = rs.getString(1);
			this.bytes.computeIfAbsent(table, this::register).set(rs.getLong(2));
		}, (Object) TABLES.toArray(String[]::new));
	}

	private AtomicLong register(String table) {
		AtomicLong value = new AtomicLong();
		Gauge.builder("batchline.storage.bytes", value, AtomicLong::get)
			.description("Bytes PostgreSQL holds for the table: rows, TOAST and indexes, read once a minute")
			.baseUnit("bytes")
			.tag("table", table)
			.register(this.meters);
		return value;
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

}
