package dev.batchline.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points a Spring Boot test at the real test PostgreSQL and Kafka, with standard Spring
 * Boot properties, exactly as an operator would configure a service:
 *
 * <pre>
 * &#64;DynamicPropertySource
 * static void infrastructure(DynamicPropertyRegistry registry) {
 *     TestInfrastructure.postgresAndKafka(registry);
 * }
 * </pre>
 */
public final class TestInfrastructure {

	private TestInfrastructure() {
	}

	/** Registers a fresh test database and the shared Kafka broker. */
	public static void postgresAndKafka(DynamicPropertyRegistry registry) {
		TestPostgres.Database database = TestPostgres.newDatabase();
		registry.add("spring.datasource.url", database::url);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
		kafka(registry);
	}

	/** Registers the shared Kafka broker only. */
	public static void kafka(DynamicPropertyRegistry registry) {
		registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
	}

}
