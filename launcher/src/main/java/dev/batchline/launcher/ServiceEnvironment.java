package dev.batchline.launcher;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What each service of a local pipeline is told, as environment: where Kafka and
 * PostgreSQL are, the key that seals webhook secrets, its own Kafka principal when Kafka
 * is secured, and the options' extra environment over all of it.
 *
 * @param bootstrap Kafka's bootstrap servers
 * @param jdbcUrl PostgreSQL's JDBC URL
 * @param apiPort the API's port, for the links in webhooks
 * @param grpcPort the API's gRPC port
 * @param apiManagementPort the API's Actuator port
 * @param adminToken the admin token
 * @param secretsKey the file of the key that seals webhook secrets, or null when the
 * services read a configured one
 * @param kafkaSecurity the principals' credentials, or null when Kafka is not secured
 * @param extra more environment for every service, over the rest
 */
record ServiceEnvironment(String bootstrap, String jdbcUrl, int apiPort, int grpcPort, int apiManagementPort,
		String adminToken, Path secretsKey, KafkaSecurity kafkaSecurity, Map<String, String> extra) {

	/** Partitions of the topics the launcher creates (and the services would). */
	private static final int PARTITIONS = LocalPipeline.PARTITIONS;

	Map<String, String> worker() {
		return withKafkaPrincipal(common(), KafkaSecurity.Principal.WORKER);
	}

	Map<String, String> dispatcher() {
		return withKafkaPrincipal(database(), KafkaSecurity.Principal.DISPATCHER);
	}

	Map<String, String> api() {
		Map<String, String> env = withKafkaPrincipal(database(), KafkaSecurity.Principal.API);
		env.put("BATCHLINE_API_ADMIN_TOKEN", this.adminToken);
		env.put(ServiceProcess.GRPC_PORT, Integer.toString(this.grpcPort));
		env.put(ServiceProcess.MANAGEMENT_PORT, Integer.toString(this.apiManagementPort));
		return env;
	}

	private Map<String, String> common() {
		Map<String, String> env = new HashMap<>();
		env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", this.bootstrap);
		env.put("BATCHLINE_TOPICS_PARTITIONS", Integer.toString(PARTITIONS));
		// the demo's receiver listens on loopback; never set this in production
		env.put("BATCHLINE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true");
		env.putAll(this.extra);
		return env;
	}

	private Map<String, String> database() {
		Map<String, String> env = common();
		env.put("SPRING_DATASOURCE_URL", this.jdbcUrl);
		env.put("SPRING_DATASOURCE_USERNAME", envOr("SPRING_DATASOURCE_USERNAME", "postgres"));
		env.put("SPRING_DATASOURCE_PASSWORD", envOr("SPRING_DATASOURCE_PASSWORD", "postgres"));
		env.put("BATCHLINE_WEBHOOKS_PUBLIC_API_URL", "http://localhost:" + this.apiPort);
		if (this.secretsKey != null) {
			env.put("BATCHLINE_SECRETS_KEY_FILE", this.secretsKey.toString());
		}
		return env;
	}

	/** The environment with the principal's Kafka credentials when Kafka is secured. */
	private Map<String, String> withKafkaPrincipal(Map<String, String> env, KafkaSecurity.Principal principal) {
		if (this.kafkaSecurity != null) {
			env.putAll(this.kafkaSecurity.serviceEnv(principal));
		}
		return env;
	}

	/** A variable of the launcher's own environment, or the fallback when it is unset. */
	static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
