package dev.batchline.worker.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.contracts.Topics;
import dev.batchline.worker.batching.BatchInference;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.model.AnnounceProperties;
import dev.batchline.worker.model.ModelRepository;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.threads.InferenceStoppedException;
import dev.batchline.worker.threads.Lane;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The prediction lane: takes synchronous predictions, predicts the rows of every request
 * of a poll together per model version (dynamic batching, as Triton's: the requests that
 * came while the previous call ran make the next batch), on the lane's own inference
 * threads, and answers each request on its own. A request past its deadline is dropped
 * unanswered (nobody waits for it; after a crash, a backlog of them is not worth a
 * predict call). Counted in {@code batchline.worker.predictions{outcome}}.
 */
@Component
class PredictionListener {

	private static final Logger log = LoggerFactory.getLogger(PredictionListener.class);

	private static final String SOURCE = "worker-service";

	private final ModelRepository models;

	private final BatchInference inference;

	private final PredictionKafka kafka;

	private final Topics topics;

	private final String workerId;

	private final Counter answered;

	private final Counter expired;

	private final Counter undecodable;

	PredictionListener(ModelRepository models, BatchInference inference, PredictionKafka kafka, Topics topics,
			MeterRegistry meters, AnnounceProperties announce) {
		this.models = models;
		this.inference = inference;
		this.kafka = kafka;
		this.topics = topics;
		this.workerId = announce.workerId();
		this.answered = meters.counter("batchline.worker.predictions", "outcome", "answered");
		this.expired = meters.counter("batchline.worker.predictions", "outcome", "expired");
		this.undecodable = meters.counter("batchline.worker.predictions", "outcome", "undecodable");
	}

	@KafkaListener(id = "prediction-worker", topics = "#{@topics.predictions()}", groupId = ConsumerGroups.PREDICTORS,
			containerFactory = "predictionListenerFactory")
	void onPredictions(List<ConsumerRecord<String, CloudEvent>> records) {
		Instant now = Instant.now();
		Map<String, List<PredictionRequested>> byModel = new LinkedHashMap<>();
		for (ConsumerRecord<String, CloudEvent> record : records) {
			Optional<PredictionRequested> request = decode(record);
			if (request.isEmpty()) {
				continue;
			}
			if (request.get().deadline() != null && request.get().deadline().isBefore(now)) {
				this.expired.increment();
				continue;
			}
			byModel.computeIfAbsent(request.get().model() + ":" + request.get().version(), (key) -> new ArrayList<>())
				.add(request.get());
		}
		byModel.values().forEach(this::answer);
	}

	private void answer(List<PredictionRequested> requests) {
		PredictionRequested first = requests.get(0);
		Optional<ServedModel> model = this.models.find(first.model(), first.version());
		List<ItemResults> results;
		if (model.isEmpty()) {
			results = requests.stream()
				.map((request) -> failed(request,
						new ItemError(ItemError.MODEL_UNAVAILABLE,
								"model " + request.model() + ":" + request.version()
										+ " is not served by this worker")))
				.toList();
		}
		else {
			try {
				results = this.inference.predict(Lane.PREDICT, model.get(),
						requests.stream().map((request) -> ChunkItems.trees(0, request.instances())).toList());
			}
			catch (InferenceStoppedException ex) {
				// shutting down: the offsets are not committed, another worker takes them
				throw ex;
			}
			catch (RuntimeException ex) {
				log.warn("Predictions for model {}:{} failed: {}", first.model(), first.version(), ex.toString());
				results = requests.stream()
					.map((request) -> failed(request,
							new ItemError(ItemError.MODEL_ERROR,
									"the model failed on the request: " + ex.getMessage())))
					.toList();
			}
		}
		for (int i = 0; i < requests.size(); i++) {
			PredictionRequested request = requests.get(i);
			PredictionCompleted completed = new PredictionCompleted(request.id(), request.model(), request.version(),
					this.workerId, results.get(i));
			this.kafka.answers()
				.send(new ProducerRecord<>(this.topics.predictionResults(), request.id(), CloudEventRecords
					.event(request.id(), PredictionCompleted.TYPE, SOURCE, request.model(), Instant.now(), completed)));
			this.answered.increment();
		}
	}

	private static ItemResults failed(PredictionRequested request, ItemError error) {
		List<ItemResult> rows = new ArrayList<>(request.instances().size());
		for (int r = 0; r < request.instances().size(); r++) {
			rows.add(ItemResult.failure(r, error));
		}
		return ItemResults.of(rows);
	}

	private Optional<PredictionRequested> decode(ConsumerRecord<String, CloudEvent> record) {
		try {
			if (record.value() != null) {
				PredictionRequested request = CloudEventRecords.data(record.value(), PredictionRequested.class);
				if (request.id() != null && request.model() != null && request.version() != null
						&& request.instances() != null) {
					return Optional.of(request);
				}
			}
		}
		catch (RuntimeException ex) {
			log.debug("Prediction record {} cannot be read", record.key(), ex);
		}
		// nobody can be answered: the asker times out
		this.undecodable.increment();
		log.error("Prediction record {}-{}@{} (key {}) cannot be read; dropped", record.topic(), record.partition(),
				record.offset(), record.key());
		return Optional.empty();
	}

}
