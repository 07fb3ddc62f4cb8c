package dev.batchline.deploy;

import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.Topics;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders the Helm chart as {@code helm template} does and checks every object against
 * the Kubernetes, KEDA and Gateway API types.
 */
class HelmChartTests {

	private static final String API = "batchline-api-service";

	private static final String WORKER = "batchline-worker-service";

	private static final String DISPATCHER = "batchline-webhook-dispatcher";

	@Test
	void rendersValidObjectsForEveryService() {
		List<JsonNode> objects = Chart.render("default", List.of(), Map.of("httpRoute.enabled", true));

		assertThat(KubernetesTypes.problems(objects)).isEmpty();
		assertThat(Chart.names(objects)).contains("Deployment/" + API, "Service/" + API,
				"HorizontalPodAutoscaler/" + API, "PodDisruptionBudget/" + API, "ConfigMap/" + API,
				"Deployment/" + WORKER, "ScaledObject/" + WORKER, "TriggerAuthentication/" + WORKER,
				"PodDisruptionBudget/" + WORKER, "Deployment/" + DISPATCHER, "HTTPRoute/" + API);
		for (String service : List.of(API, WORKER, DISPATCHER)) {
			JsonNode container = container(Chart.find(objects, "Deployment", service));
			assertThat(container.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/livez");
			assertThat(container.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/readyz");
		}
	}

	@Test
	void scalesWorkersOnTheirGroupsLagUpToThePartitions() {
		List<JsonNode> objects = Chart.render("partitions-24", List.of(), Map.of("topics.partitions", 24));

		JsonNode scaledObject = Chart.find(objects, "ScaledObject", WORKER).path("spec");
		assertThat(scaledObject.path("maxReplicaCount").asInt()).isEqualTo(24);
		JsonNode trigger = scaledObject.path("triggers").get(0);
		assertThat(trigger.path("type").asString()).isEqualTo("kafka");
		assertThat(trigger.at("/metadata/consumerGroup").asString()).isEqualTo(ConsumerGroups.WORKERS);
		assertThat(trigger.at("/metadata/topic").asString()).isEqualTo(Topics.defaults().chunks());
		assertThat(trigger.at("/metadata/activationLagThreshold").asString()).isNotEmpty();
		assertThat(Chart.find(objects, "ConfigMap", WORKER).at("/data/BATCHLINE_TOPICS_PARTITIONS").asString())
			.isEqualTo("24");
		// the values KEDA's Kafka scaler takes
		assertThat(Chart.find(objects, "ConfigMap", WORKER + "-keda").path("data").properties())
			.extracting(Object::toString)
			.containsExactlyInAnyOrder("sasl=\"scram_sha512\"", "username=\"batchline-worker\"", "tls=\"enable\"");
		// a worker with a hung model takes over 90 s to drain (docs/operations.md)
		assertThat(Chart.find(objects, "Deployment", WORKER)
			.at("/spec/template/spec/terminationGracePeriodSeconds")
			.asInt()).isGreaterThanOrEqualTo(120);
	}

	@Test
	void gpuOverlayPutsWorkersOnGpuNodesWithTheCudaImage() {
		List<JsonNode> objects = Chart.render("gpu", List.of("values-gpu.yaml"), Map.of());

		assertThat(KubernetesTypes.problems(objects)).isEmpty();
		JsonNode pod = Chart.find(objects, "Deployment", WORKER).at("/spec/template/spec");
		JsonNode container = pod.path("containers").get(0);
		assertThat(container.path("image").asString()).isEqualTo("batchline/worker-service:0.1.0-gpu");
		assertThat(container.at("/resources/limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
		assertThat(pod.at("/nodeSelector").path("nvidia.com/gpu.present").asString()).isEqualTo("true");
		assertThat(pod.at("/tolerations/0/key").asString()).isEqualTo("nvidia.com/gpu");
		assertThat(Chart.find(objects, "ConfigMap", WORKER).at("/data/BATCHLINE_WORKER_DEVICE").asString())
			.isEqualTo("gpu");
		assertThat(container(Chart.find(objects, "Deployment", API)).at("/resources/limits").has("nvidia.com/gpu"))
			.isFalse();
	}

	@Test
	void mountsAModelRepositoryForTheWorkers() {
		List<JsonNode> objects = Chart.render("models", List.of(),
				Map.of("worker.modelsVolume.persistentVolumeClaim.claimName", "models",
						"worker.modelsVolume.persistentVolumeClaim.readOnly", true));

		assertThat(KubernetesTypes.problems(objects)).isEmpty();
		JsonNode pod = Chart.find(objects, "Deployment", WORKER).at("/spec/template/spec");
		assertThat(pod.path("volumes").findValuesAsString("claimName")).containsExactly("models");
		assertThat(pod.at("/containers/0/volumeMounts").findValuesAsString("mountPath")).contains("/models");
		assertThat(Chart.find(objects, "ConfigMap", WORKER).at("/data/BATCHLINE_WORKER_MODELS_ROOT").asString())
			.isEqualTo("/models");
		assertThat(Chart.find(Chart.render("default", List.of(), Map.of()), "ConfigMap", WORKER)
			.path("data")
			.has("BATCHLINE_WORKER_MODELS_ROOT")).isFalse();
	}

	@Test
	void rendersAPlaintextKafkaWithoutCredentials() {
		List<JsonNode> objects = Chart.render("plaintext", List.of(),
				Map.of("kafka.secured", false, "kafka.bootstrapServers", "kafka.kafka.svc:9092"));

		assertThat(KubernetesTypes.problems(objects)).isEmpty();
		assertThat(Chart.names(objects)).doesNotContain("TriggerAuthentication/" + WORKER);
		assertThat(Chart.find(objects, "ConfigMap", API).path("data").has("SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL"))
			.isFalse();
		assertThat(container(Chart.find(objects, "Deployment", WORKER)).toString()).doesNotContain("kafka-ca");
	}

	@Test
	void typeCheckFindsUnknownFieldsMissingFieldsAndWrongTypes() {
		List<JsonNode> objects = Chart.render("broken", List.of(), Map.of());
		ObjectNode trigger = (ObjectNode) Chart.find(objects, "ScaledObject", WORKER).at("/spec/triggers/0");
		trigger.put("lagTreshold", "20");
		ObjectNode deploymentSpec = (ObjectNode) Chart.find(objects, "Deployment", DISPATCHER).path("spec");
		deploymentSpec.remove("selector");
		ObjectNode probe = (ObjectNode) container(Chart.find(objects, "Deployment", API)).path("readinessProbe");
		probe.put("periodSeconds", "five");
		ArrayNode ports = (ArrayNode) Chart.find(objects, "Service", WORKER).at("/spec/ports");
		((ObjectNode) ports.get(0)).put("protocol", "HTTP");

		assertThat(KubernetesTypes.problems(objects)).hasSize(4)
			.anySatisfy((problem) -> assertThat(problem).startsWith("ScaledObject/" + WORKER).contains("lagTreshold"))
			.anySatisfy((problem) -> assertThat(problem).startsWith("Deployment/" + DISPATCHER).contains("selector"))
			.anySatisfy((problem) -> assertThat(problem).startsWith("Deployment/" + API).contains("number"))
			.anySatisfy((problem) -> assertThat(problem).startsWith("Service/" + WORKER).contains("HTTP"));
	}

	@Test
	void passesHelmsStrictLint() {
		LintResult lint = new Helm(Chart.DIRECTORY).lint().strict().call();

		assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
	}

	private static JsonNode container(JsonNode deployment) {
		return deployment.at("/spec/template/spec/containers/0");
	}

}
