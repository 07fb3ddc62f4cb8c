package dev.batchline.testsupport;

import java.util.Map;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real single-node Kafka broker (KRaft) for tests, started once per JVM. It is Apache
 * Kafka's own broker running in-process (spring-kafka-test), listening on a loopback
 * port, so separate service processes can use it too.
 */
public final class TestKafka {

	private static EmbeddedKafkaKraftBroker broker;

	private TestKafka() {
	}

	/** The bootstrap servers of the shared test broker, starting it on first use. */
	public static synchronized String bootstrapServers() {
		if (broker == null) {
			EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 3);
			started.brokerProperties(
					Map.of("transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
							"offsets.topic.replication.factor", "1", "group.initial.rebalance.delay.ms", "0",
							"auto.create.topics.enable", "true", "num.partitions", "3"));
			started.afterPropertiesSet();
			Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "embedded-kafka-stop"));
			broker = started;
		}
		return broker.getBrokersAsString();
	}

}
