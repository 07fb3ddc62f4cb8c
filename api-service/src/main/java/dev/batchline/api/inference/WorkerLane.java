package dev.batchline.api.inference;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.Topics;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The synchronous lane to the workers: a prediction goes out on
 * {@link Topics#predictions()} and its answer comes back on
 * {@link Topics#predictionResults()}, matched by the request's id. Every replica reads
 * every answer (a consumer group of its own, from the end, committing nothing) and
 * completes the requests it waits for; an answer nobody waits for any more (timed out, or
 * a second answer after a worker's crash redelivered the request) is dropped, so a
 * request is answered once.
 */
@Component
class WorkerLane {

	private static final Logger log = LoggerFactory.getLogger(WorkerLane.class);

	private static final String SOURCE = "api-service";

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	private final Map<String, CompletableFuture<PredictionCompleted>> waiting = new ConcurrentHashMap<>();

	/** Open once this replica reads the answers' partitions from their end. */
	private final CountDownLatch listening;

	WorkerLane(InferenceKafka kafka, Topics topics) {
		this.kafka = kafka.requests();
		this.listening = kafka.answersAssigned();
		this.topics = topics;
	}

	/**
	 * Asks the workers and waits for their answer.
	 * @param request the request
	 * @param timeout how long to wait
	 * @return the answer
	 * @throws TimeoutException when no answer came in time
	 */
	PredictionCompleted ask(PredictionRequested request, Duration timeout) throws TimeoutException {
		long deadline = System.nanoTime() + timeout.toNanos();
		CompletableFuture<PredictionCompleted> answer = new CompletableFuture<>();
		this.waiting.put(request.id(), answer);
		try {
			if (!this.listening.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
				throw new TimeoutException("the answers' topic is not read yet");
			}
			CloudEvent event = CloudEventRecords.event(request.id(), PredictionRequested.TYPE, SOURCE, request.model(),
					Instant.now(), request);
			this.kafka.send(new ProducerRecord<>(this.topics.predictions(), request.id(), event))
				.whenComplete((sent, failure) -> {
					if (failure != null) {
						answer.completeExceptionally(failure);
					}
				});
			return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TimeoutException("interrupted");
		}
		catch (ExecutionException ex) {
			log.warn("Prediction {} could not be sent to {}: {}", request.id(), this.topics.predictions(),
					ex.getCause().toString());
			throw new ApiException(ProblemKind.UNAVAILABLE,
					"The prediction could not be sent to the workers; try again")
				.retryAfter(1);
		}
		finally {
			this.waiting.remove(request.id());
		}
	}

	/** Whether this replica reads the workers' answers (else it cannot predict yet). */
	boolean ready() {
		return this.listening.getCount() == 0;
	}

	@KafkaListener(id = "prediction-results", topics = "#{@topics.predictionResults()}",
			groupId = "#{T(dev.batchline.contracts.ConsumerGroups).API_PREDICTION_RESULTS_PREFIX}"
					+ "#{T(java.util.UUID).randomUUID()}",
			containerFactory = "predictionResultsListenerFactory", batch = "true")
	void onAnswers(List<ConsumerRecord<String, CloudEvent>> records) {
		for (ConsumerRecord<String, CloudEvent> record : records) {
			CompletableFuture<PredictionCompleted> answer = (record.key() != null) ? this.waiting.get(record.key())
					: null;
			// another replica's, or nobody waits any more
			if (answer == null || record.value() == null) {
				continue;
			}
			try {
				answer.complete(CloudEventRecords.data(record.value(), PredictionCompleted.class));
			}
			catch (RuntimeException ex) {
				log.error("Answer {} on {} cannot be read: {}", record.key(), record.topic(), ex.toString());
				answer.completeExceptionally(ex);
			}
		}
	}

}
