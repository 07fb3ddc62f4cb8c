package dev.batchline.api.quota;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import dev.batchline.testsupport.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a replica spends a bucket kept in the real test PostgreSQL: from its own copy,
 * written to the row when its unwritten share (1% of the bucket) would be passed or the
 * sync interval has gone by, with nothing it took lost. The bucket here is the webhook
 * replays per hour, which refills slowly enough (28 tokens a second) for the row to show
 * what was written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotasIntegrationTests {

	private static final long REPLAYS_PER_HOUR = 100_000;

	private static final Duration HOUR = Duration.ofHours(1);

	private DataSource dataSource;

	@BeforeAll
	void migrateAFreshDatabase() {
		TestPostgres.Database database = TestPostgres.newDatabase();
		this.dataSource = new DriverManagerDataSource(database.url(), database.username(), database.password());
		Flyway.configure().dataSource(this.dataSource).locations("classpath:db/migration").load().migrate();
	}

	@Test
	void aReplicaWritesWhatItTookOnceItsShareIsSpentNotAtEveryRequest() {
		Quotas replica = replica(HOUR);
		UUID tenant = UUID.randomUUID();
		for (int i = 0; i < 500; i++) {
			replica.replay(tenant);
		}
		// the first take wrote the row; the 499 after it are this replica's alone so far
		assertThat(stored(replica, tenant)).isGreaterThanOrEqualTo(REPLAYS_PER_HOUR - 1);
		for (int i = 0; i < 600; i++) {
			replica.replay(tenant);
		}
		// past 1,000 unwritten tokens it wrote them all (1,002 by then): none was lost,
		// whatever the bucket refilled meanwhile (28 a second)
		assertThat(stored(replica, tenant)).isLessThanOrEqualTo(REPLAYS_PER_HOUR - 900);
	}

	@Test
	void aReplicaWritesWhatItTookOnceTheSyncIntervalHasGoneBy() throws InterruptedException {
		Quotas replica = replica(Duration.ofMillis(50));
		UUID tenant = UUID.randomUUID();
		for (int i = 0; i < 100; i++) {
			replica.replay(tenant);
		}
		assertThat(stored(replica, tenant)).isGreaterThanOrEqualTo(REPLAYS_PER_HOUR - 1);
		Thread.sleep(100);
		replica.replay(tenant);
		// the 101 taken, less what the bucket refilled meanwhile
		assertThat(stored(replica, tenant)).isLessThanOrEqualTo(REPLAYS_PER_HOUR - 50);
	}

	private static long stored(Quotas replica, UUID tenant) {
		return replica.tokensStored("replays", tenant, REPLAYS_PER_HOUR, HOUR);
	}

	private Quotas replica(Duration syncInterval) {
		LimitsProperties properties = new LimitsProperties(true, 100, 10, 2_000_000, 100, 50, 10L << 30,
				REPLAYS_PER_HOUR, 60, Duration.ofMinutes(1), syncInterval);
		return new Quotas(properties, new TenantLimitsStore(new JdbcTemplate(this.dataSource), Clock.systemUTC()),
				this.dataSource, new SimpleMeterRegistry());
	}

}
