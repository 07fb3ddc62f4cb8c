package dev.batchline.api.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import javax.sql.DataSource;

import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.testsupport.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The purge's batches, one by one, against the real test PostgreSQL with the real
 * migrations: each deletes at most the batch size in its own transaction, a job becomes a
 * tombstone once nothing of it is left, tombstones go after their own retention, and a
 * job another replica holds is skipped, not waited for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultsPurgeIntegrationTests {

	private static final int BATCH = 2;

	private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

	private DataSource dataSource;

	private JdbcTemplate jdbc;

	private UUID tenant;

	@BeforeAll
	void migrateAFreshDatabase() {
		TestPostgres.Database database = TestPostgres.newDatabase();
		this.dataSource = new DriverManagerDataSource(database.url(), database.username(), database.password());
		Flyway.configure().dataSource(this.dataSource).locations("classpath:db/migration").load().migrate();
		this.jdbc = new JdbcTemplate(this.dataSource);
		this.tenant = UUID.randomUUID();
		this.jdbc.update("insert into tenants (id, name) values (?, 'acme')", this.tenant);
	}

	@Test
	void eachBatchDeletesAtMostTheBatchSizeThenLeavesATombstoneThatGoesLater() {
		UUID due = finishedJob(5, this.now.minusSeconds(60));
		UUID notYet = finishedJob(2, this.now.plusSeconds(3600));
		ResultsPurge purge = purge(this.now);

		assertThat(purge.purgeDueResults()).isEqualTo(new ResultsPurge.Batch(2, true));
		assertThat(results(due)).isEqualTo(3);
		assertThat(purgedAt(due)).isNull();
		assertThat(purge.purgeDueResults()).isEqualTo(new ResultsPurge.Batch(2, true));
		assertThat(results(due)).isEqualTo(1);
		assertThat(purge.purgeDueResults()).isEqualTo(new ResultsPurge.Batch(1, false));
		assertThat(results(due)).isZero();
		assertThat(purgedAt(due)).isEqualTo(this.now);
		assertThat(purge.purgeDueResults()).isEqualTo(new ResultsPurge.Batch(0, false));
		assertThat(results(notYet)).isEqualTo(2);
		assertThat(purgedAt(notYet)).isNull();

		// the tombstone (job row and history) stays for the tombstone retention
		assertThat(purge.forgetTombstones().rows()).isZero();
		assertThat(purge(this.now.plus(Duration.ofDays(1)).minusSeconds(1)).forgetTombstones().rows()).isZero();
		assertThat(purge(this.now.plus(Duration.ofDays(1))).forgetTombstones().rows()).isPositive();
		assertThat(this.jdbc.queryForObject("select count(*) from jobs where id = ?", Long.class, due)).isZero();
		assertThat(this.jdbc.queryForObject("select count(*) from job_state_history where job_id = ?", Long.class, due))
			.isZero();
		assertThat(results(notYet)).isEqualTo(2);
	}

	@Test
	void aJobAnotherReplicaHoldsIsSkippedNotWaitedFor() throws Exception {
		UUID held = finishedJob(1, this.now.minusSeconds(120));
		UUID free = finishedJob(1, this.now.minusSeconds(60));
		try (Connection other = this.dataSource.getConnection()) {
			other.setAutoCommit(false);
			try (PreparedStatement lock = other.prepareStatement("select 1 from jobs where id = ? for update")) {
				lock.setObject(1, held);
				lock.executeQuery();
			}
			purge(this.now).purgeDueResults();
			assertThat(purgedAt(held)).isNull();
			assertThat(purgedAt(free)).isEqualTo(this.now);
			other.rollback();
		}
		purge(this.now).purgeDueResults();
		assertThat(purgedAt(held)).isEqualTo(this.now);
	}

	private ResultsPurge purge(Instant at) {
		JobLifecycleProperties properties = new JobLifecycleProperties(Duration.ofHours(24), Duration.ofDays(7),
				Duration.ofSeconds(5), Duration.ofSeconds(60), 3, ConsumerGroups.WORKERS, Duration.ofHours(24),
				Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(1), BATCH);
		return new ResultsPurge(this.jdbc, new TransactionTemplate(new DataSourceTransactionManager(this.dataSource)),
				Clock.fixed(at, ZoneOffset.UTC), properties, new SimpleMeterRegistry());
	}

	/** A succeeded job of {@code chunks} one-item chunks, with two history rows. */
	private UUID finishedJob(int chunks, Instant resultsExpireAt) {
		UUID id = UUID.randomUUID();
		Timestamp created = Timestamp.from(this.now.minus(Duration.ofDays(40)));
		this.jdbc.update("""
				insert into jobs (id, tenant_id, model, model_version, state, total_items, succeeded_items,
				                  total_chunks, completed_chunks, created_at, finished_at, updated_at, expires_at,
				                  results_retention_seconds, results_expire_at)
				values (?, ?, 'iris', '1', 'SUCCEEDED', ?, ?, ?, ?, ?, ?, ?, ?, 3600, ?)
				""", id, this.tenant, chunks, chunks, chunks, chunks, created, created, created, created,
				Timestamp.from(resultsExpireAt));
		this.jdbc.update("""
				insert into job_state_history (job_id, from_state, to_state, reason, changed_at)
				values (?, null, 'QUEUED', 'submitted', ?), (?, 'QUEUED', 'SUCCEEDED', 'done', ?)
				""", id, created, id, created);
		for (int chunk = 0; chunk < chunks; chunk++) {
			this.jdbc.update("""
					insert into chunk_results (job_id, chunk_no, first_index, item_count, failed_count, items,
					                           recorded_at)
					values (?, ?, ?, 1, 0, ?, ?)
					""", id, chunk, chunk, "[{\"index\":0}]".getBytes(), created);
		}
		return id;
	}

	private long results(UUID job) {
		return this.jdbc.queryForObject("select count(*) from chunk_results where job_id = ?", Long.class, job);
	}

	private Instant purgedAt(UUID job) {
		Timestamp purgedAt = this.jdbc.queryForObject("select purged_at from jobs where id = ?", Timestamp.class, job);
		return (purgedAt != null) ? purgedAt.toInstant() : null;
	}

}
