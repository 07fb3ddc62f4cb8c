package dev.batchline.support;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Readiness of the Kafka cluster: the service can reach a broker and learn the cluster
 * id.
 */
public class KafkaHealthIndicator extends AbstractHealthIndicator implements AutoCloseable {

	private static final int TIMEOUT_MILLIS = 3000;

	private final AdminClient admin;

	public KafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
		super("Kafka health check failed");
		Map<String, Object> config = new java.util.HashMap<>(kafkaAdmin.getConfigurationProperties());
		config.put("request.timeout.ms", TIMEOUT_MILLIS);
		config.put("default.api.timeout.ms", TIMEOUT_MILLIS);
		this.admin = AdminClient.create(config);
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		DescribeClusterResult cluster = this.admin
			.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MILLIS));
		String clusterId = cluster.clusterId().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
		int nodes = cluster.nodes().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).size();
		builder.up().withDetail("clusterId", clusterId).withDetail("nodes", nodes);
	}

	@Override
	public void close() {
		this.admin.close();
	}

}
