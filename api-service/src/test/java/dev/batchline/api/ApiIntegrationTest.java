package dev.batchline.api;

import java.util.Arrays;

import dev.batchline.contracts.Topics;
import dev.batchline.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the API's integration tests share: the service on a random port against a fresh
 * database on the real test PostgreSQL and the real Kafka broker, the workers' side of
 * the topics ({@link WorkerSide}, with the Iris model announced) and a client of a new
 * tenant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiIntegrationTest {

	@LocalServerPort
	protected int port;

	/** Actuator's port (metrics, Prometheus), apart from the API's. */
	@LocalManagementPort
	protected int managementPort;

	@Autowired
	protected JdbcTemplate jdbc;

	protected final Topics topics;

	protected WorkerSide workers;

	protected ApiClient api;

	private final String workerGroup;

	/**
	 * @param topicsPrefix the {@code batchline.topics.prefix} the test sets
	 * @param workerGroup the consumer group the worker side reads chunks in, or null for
	 * a throwaway one
	 */
	protected ApiIntegrationTest(String topicsPrefix, String workerGroup) {
		this.topics = new Topics(topicsPrefix);
		this.workerGroup = workerGroup;
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.postgresAndKafka(registry);
	}

	@BeforeAll
	void startWorkerSideAndTenant() {
		this.workers = new WorkerSide(this.topics, this.workerGroup);
		this.workers.announceIris();
		this.api = ApiClient.newTenant(this.port);
	}

	/**
	 * The value of the one series of {@code metric} in Actuator's Prometheus scrape whose
	 * labels include {@code labels} (each {@code name="value"}), or NaN when there is
	 * none.
	 */
	protected double gauge(String metric, String... labels) {
		ApiClient actuator = new ApiClient("http://localhost:" + this.managementPort, null);
		double value = Double.NaN;
		for (String line : actuator.get("/actuator/prometheus", "text/plain").body().split("\n")) {
			if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
				String series = line.substring(0, line.lastIndexOf(' '));
				if (Arrays.stream(labels).allMatch(series::contains)) {
					assertThat(value).as("one series of %s with %s", metric, Arrays.toString(labels)).isNaN();
					value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
				}
			}
		}
		return value;
	}

	@AfterAll
	void closeWorkerSide() {
		this.workers.close();
	}

}
