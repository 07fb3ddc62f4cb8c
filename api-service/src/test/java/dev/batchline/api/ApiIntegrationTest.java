package dev.batchline.api;

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

	@AfterAll
	void closeWorkerSide() {
		this.workers.close();
	}

}
