package dev.batchline.worker.model;

import java.util.concurrent.TimeUnit;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.Topics;
import dev.batchline.worker.system.WorkerProperties;
import io.cloudevents.CloudEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Announces every model version this worker serves on the compacted models topic once the
 * worker is ready, so the API validates submissions against what is really deployed.
 */
@Component
class ModelAnnouncer {

	private static final Logger log = LoggerFactory.getLogger(ModelAnnouncer.class);

	private final ModelRepository models;

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	private final WorkerProperties properties;

	ModelAnnouncer(ModelRepository models, KafkaTemplate<String, CloudEvent> kafka, Topics topics,
			WorkerProperties properties) {
		this.models = models;
		this.kafka = kafka;
		this.topics = topics;
		this.properties = properties;
	}

	@EventListener(ApplicationReadyEvent.class)
	void announce() throws Exception {
		for (ServedModel model : this.models.all()) {
			ModelDeployed deployed = new ModelDeployed(model.name(), model.version(), model.signature(),
					this.properties.maxBatchSize(), model.loadedAt());
			// the template is transactional (results are sent in the listener's
			// transactions)
			this.kafka
				.executeInTransaction((template) -> template.send(this.topics.models(), deployed.key(),
						CloudEventRecords.event(ModelDeployed.TYPE, "worker-service", deployed.key(), deployed)))
				.get(30, TimeUnit.SECONDS);
			log.info("Announced model {} on {}", deployed.key(), this.topics.models());
		}
	}

}
