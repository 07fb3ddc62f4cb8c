package dev.batchline.api.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.ConsumerLag;
import dev.batchline.api.model.ModelCatalog;
import dev.batchline.contracts.ModelDeployed;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * What an operator watches (admin token): {@code GET /v1/admin/workers}, the workers as
 * they announce themselves on the models topic, and {@code GET /v1/admin/consumer-lag},
 * the pipeline's consumer groups' lag.
 */
@RestController
class AdminOperationsController {

	private static final String UNNAMED = "(no worker id)";

	private final ModelCatalog catalog;

	private final ConsumerLag lag;

	AdminOperationsController(ModelCatalog catalog, ConsumerLag lag) {
		this.catalog = catalog;
		this.lag = lag;
	}

	/**
	 * A worker.
	 *
	 * @param workerId its id, as it announces it
	 * @param endpoint where it takes synchronous predictions, or null
	 * @param lastSeenAt its latest heartbeat, or null for a worker that sends none
	 * @param models the model versions it serves
	 */
	record Worker(String workerId, String endpoint, Instant lastSeenAt, List<ServedVersion> models) {
	}

	record ServedVersion(String name, String version, String fingerprint, int maxBatchSize, Instant deployedAt) {
	}

	@GetMapping("/v1/admin/workers")
	Map<String, Object> workers(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin) {
		Map<String, List<ModelDeployed>> byWorker = new LinkedHashMap<>();
		for (ModelDeployed model : this.catalog.announcements()) {
			byWorker.computeIfAbsent((model.workerId() != null) ? model.workerId() : UNNAMED, (id) -> new ArrayList<>())
				.add(model);
		}
		List<Worker> workers = byWorker.entrySet().stream().map((entry) -> {
			List<ModelDeployed> models = entry.getValue();
			Instant lastSeen = models.stream()
				.map(ModelDeployed::announcedAt)
				.filter(Objects::nonNull)
				.max(Comparator.naturalOrder())
				.orElse(null);
			String endpoint = models.stream()
				.map(ModelDeployed::endpoint)
				.filter(Objects::nonNull)
				.findFirst()
				.orElse(null);
			return new Worker(entry.getKey(), endpoint, lastSeen, models.stream()
				.map((m) -> new ServedVersion(m.name(), m.version(), m.fingerprint(), m.maxBatchSize(), m.deployedAt()))
				.toList());
		}).sorted(Comparator.comparing(Worker::workerId)).toList();
		return Map.of("data", workers);
	}

	@GetMapping("/v1/admin/consumer-lag")
	Map<String, Object> consumerLag(@RequestAttribute(ApiKeyAuthentication.ADMIN) boolean admin) {
		return Map.of("data", this.lag.all());
	}

}
