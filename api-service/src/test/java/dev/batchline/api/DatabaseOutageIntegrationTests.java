package dev.batchline.api;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Back-pressure when PostgreSQL is unreachable: the real server refuses the API's
 * database (its connections are cut and new ones refused), intake answers 503 with
 * {@code Retry-After} and writes nothing, and takes jobs again once the database is back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=outage-it",
				"batchline.topics.partitions=1", "spring.datasource.hikari.connection-timeout=2000",
				"batchline.api.backlog-metrics.interval=200ms" })
class DatabaseOutageIntegrationTests extends ApiIntegrationTest {

	private static final String OLDEST_QUEUED_AGE = "batchline_chunks_oldest_queued_age_seconds";

	DatabaseOutageIntegrationTests() {
		super("outage-it", null);
	}

	@Value("${spring.datasource.url}")
	String url;

	@Value("${spring.datasource.username}")
	String username;

	@Value("${spring.datasource.password}")
	String password;

	@AfterAll
	void tearDown() throws SQLException {
		allowConnections(true);
	}

	@Test
	void intakeAnswers503WithRetryAfterWhilePostgresIsAwayAndWritesNothing() throws SQLException {
		String before = this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).json().get("id").asString();
		long jobs = this.jdbc.queryForObject("select count(*) from jobs", Long.class);

		allowConnections(false);
		try {
			ApiClient.Response refused = this.api.post("/v1/jobs", WorkerSide.jobJson(2, null));
			assertProblem(refused, 503, "unavailable", "retry");
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
			assertProblem(this.api.get("/v1/jobs/" + before), 503, "unavailable", null);
			// the oldest queued chunk's age is unknown, not the last one read
			await().atMost(Duration.ofSeconds(30)).until(() -> Double.isNaN(gauge(OLDEST_QUEUED_AGE)));
		}
		finally {
			allowConnections(true);
		}

		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).status() == 202);
		await().atMost(Duration.ofSeconds(30)).until(() -> gauge(OLDEST_QUEUED_AGE) > 0);
		// the refused submission left nothing behind: only the one accepted now was added
		assertThat(this.jdbc.queryForObject("select count(*) from jobs", Long.class)).isEqualTo(jobs + 1);
		assertThat(this.jdbc.queryForObject("select count(*) from input_chunks", Long.class)).isEqualTo(jobs + 1);
	}

	/**
	 * Lets the API's database take connections, or refuses them and cuts the open ones
	 * (as a PostgreSQL that went away looks to the pool).
	 */
	private void allowConnections(boolean allow) throws SQLException {
		String database = this.url.substring(this.url.lastIndexOf('/') + 1);
		String server = this.url.substring(0, this.url.lastIndexOf('/') + 1) + "postgres";
		try (Connection connection = DriverManager.getConnection(server, this.username, this.password);
				Statement statement = connection.createStatement()) {
			statement.execute("alter database " + database + " allow_connections " + allow);
			if (!allow) {
				statement.execute(
						"select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
			}
		}
	}

}
