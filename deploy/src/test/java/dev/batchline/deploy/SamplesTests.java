package dev.batchline.deploy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.batchline.contracts.Topics;
import dev.batchline.launcher.KafkaSecurity;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The samples beside the chart: Strimzi's users and topics say what the services need,
 * and Kong's declarative config reaches the chart's api-service.
 */
class SamplesTests {

	@Test
	void strimziUsersGrantExactlyTheServicesAcls() throws IOException {
		Set<String> expected = new TreeSet<>();
		for (AclBinding acl : KafkaSecurity.acls(Topics.defaults())) {
			expected.add(String.join(" ", acl.entry().principal().substring("User:".length()),
					acl.pattern().resourceType().name().toLowerCase().replace("_", ""), acl.pattern().name(),
					acl.pattern().patternType().name().toLowerCase(), acl.entry().operation().name().toLowerCase()));
		}
		Set<String> granted = new TreeSet<>();
		for (JsonNode user : sample("strimzi/kafka-users.yaml")) {
			assertThat(user.path("kind").asString()).isEqualTo("KafkaUser");
			assertThat(user.at("/spec/authentication/type").asString()).isEqualTo("scram-sha-512");
			for (JsonNode acl : user.at("/spec/authorization/acls")) {
				JsonNode resource = acl.path("resource");
				String pattern = resource.path("patternType").asString().replace("prefix", "prefixed");
				for (JsonNode operation : acl.path("operations")) {
					granted.add(String.join(" ", user.at("/metadata/name").asString(),
							resource.path("type").asString().toLowerCase(), resource.path("name").asString(), pattern,
							operation.asString().toLowerCase()));
				}
			}
		}
		assertThat(granted).isEqualTo(expected);
	}

	@Test
	void strimziTopicsAreDeclaredAsTheServicesDeclareThem() throws IOException {
		Map<String, Topics.Declaration> declared = new HashMap<>();
		for (JsonNode topic : sample("strimzi/kafka-topics.yaml")) {
			assertThat(topic.path("kind").asString()).isEqualTo("KafkaTopic");
			String name = topic.at("/spec/topicName").asString(topic.at("/metadata/name").asString());
			Map<String, String> configs = new HashMap<>();
			topic.at("/spec/config")
				.properties()
				.forEach((entry) -> configs.put(entry.getKey(), entry.getValue().asString()));
			declared.put(name, new Topics.Declaration(name, topic.at("/spec/partitions").asInt(), configs));
		}
		List<Topics.Declaration> expected = Topics.defaults().declarations(12);
		assertThat(declared.values()).containsExactlyInAnyOrderElementsOf(expected);
	}

	@Test
	void strimziSamplesFitStrimzisModel() throws IOException {
		for (JsonNode user : sample("strimzi/kafka-users.yaml")) {
			assertThat(StrimziModels.read(user, KafkaUser.class).getSpec().getAuthorization()).isNotNull();
		}
		for (JsonNode topic : sample("strimzi/kafka-topics.yaml")) {
			assertThat(StrimziModels.read(topic, KafkaTopic.class).getSpec().getPartitions()).isPositive();
		}
	}

	@Test
	void strictStrimziReadingRefusesWhatStrimziDoesNotKnow() throws IOException {
		JsonNode user = sample("strimzi/kafka-users.yaml").get(0);
		JsonNode acl = user.at("/spec/authorization/acls/0");
		((ObjectNode) acl).put("host", "*");
		assertThat(StrimziModels.read(user, KafkaUser.class)).isNotNull();
		((ObjectNode) acl).put("hots", "*");
		assertThatExceptionOfType(JsonProcessingException.class)
			.isThrownBy(() -> StrimziModels.read(user, KafkaUser.class))
			.withMessageContaining("hots");
		JsonNode topic = sample("strimzi/kafka-topics.yaml").get(0);
		((ObjectNode) topic.path("spec")).put("partitions", "twelve");
		assertThatExceptionOfType(JsonProcessingException.class)
			.isThrownBy(() -> StrimziModels.read(topic, KafkaTopic.class));
	}

	@Test
	void kongRoutesToThePortsOfTheChartsApiService() throws IOException {
		JsonNode kong = sample("kong/kong.yml").get(0);
		assertThat(kong.path("_format_version").asString()).isEqualTo("3.0");
		JsonNode service = Chart.find(Chart.render("kong", List.of(), Map.of()), "Service", "batchline-api-service");
		Map<String, Integer> ports = new HashMap<>();
		service.at("/spec/ports").forEach((port) -> ports.put(port.path("name").asString(), port.path("port").asInt()));
		List<String> routed = new ArrayList<>();
		for (JsonNode upstream : kong.path("services")) {
			URI url = URI.create(upstream.path("url").asString());
			assertThat(url.getHost())
				.isEqualTo(service.at("/metadata/name").asString() + "." + Chart.NAMESPACE + ".svc.cluster.local");
			String portName = url.getScheme().equals("grpc") ? "grpc" : "http";
			assertThat(url.getPort()).as(upstream.path("name").asString()).isEqualTo(ports.get(portName));
			assertThat(upstream.path("routes")).isNotEmpty();
			routed.add(portName);
		}
		assertThat(routed).containsExactlyInAnyOrder("http", "grpc");
	}

	private static List<JsonNode> sample(String file) throws IOException {
		return Chart.read(Files.readString(Chart.DEPLOY.resolve(file)));
	}

}
