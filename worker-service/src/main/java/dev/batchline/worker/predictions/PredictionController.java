package dev.batchline.worker.predictions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.PredictionCall;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionReply;
import dev.batchline.contracts.PredictionRequested;
import dev.batchline.worker.model.AnnounceProperties;
import dev.batchline.worker.predictions.PredictionBatcher.DeadlinePassedException;
import dev.batchline.worker.predictions.PredictionBatcher.RefusedException;
import tools.jackson.core.JacksonException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The worker's door for synchronous predictions, on its HTTP port, for the api-service
 * only (the port is internal: it is not meant to be reachable from outside the
 * installation). {@code POST} {@value PredictionCall#PATH} with a {@link PredictionCall}
 * answers 200 with a {@link PredictionReply} once each request is predicted, refused (the
 * queue is full, or the worker stops: ask another) or expired (its deadline passed before
 * its turn); 400 for a call without requests or a request without id, model, version or
 * rows.
 */
@RestController
class PredictionController {

	/** How long a request without a deadline may wait. */
	private static final Duration NO_DEADLINE_WAIT = Duration.ofSeconds(60);

	private final PredictionBatcher batcher;

	private final String workerId;

	PredictionController(PredictionBatcher batcher, AnnounceProperties announce) {
		this.batcher = batcher;
		this.workerId = announce.workerId();
	}

	@PostMapping(path = PredictionCall.PATH, consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	byte[] predict(@RequestBody byte[] body) throws InterruptedException {
		List<PredictionRequested> requests = requests(body);
		Instant received = Instant.now();
		long start = System.nanoTime();
		List<CompletableFuture<ItemResults>> answers = this.batcher.submit(requests);
		List<PredictionCompleted> answered = new ArrayList<>(requests.size());
		List<String> refused = new ArrayList<>();
		List<String> expired = new ArrayList<>();
		for (int i = 0; i < requests.size(); i++) {
			PredictionRequested request = requests.get(i);
			Duration wait = (request.deadline() != null) ? Duration.between(received, request.deadline())
					: NO_DEADLINE_WAIT;
			try {
				ItemResults results = answers.get(i)
					.get(Math.max(0, start + wait.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
				answered.add(new PredictionCompleted(request.id(), request.model(), request.version(), this.workerId,
						results));
			}
			catch (TimeoutException ex) {
				expired.add(request.id());
			}
			catch (ExecutionException ex) {
				switch (ex.getCause()) {
					case RefusedException refusal -> refused.add(request.id());
					case DeadlinePassedException passed -> expired.add(request.id());
					default -> throw new IllegalStateException(ex.getCause());
				}
			}
		}
		return EventCodec.encode(new PredictionReply(answered, refused, expired));
	}

	/** The call's requests, each with what a prediction needs; 400 otherwise. */
	private static List<PredictionRequested> requests(byte[] body) {
		PredictionCall call;
		try {
			// the contracts' own JSON form (snake_case), as the api-service writes it
			call = EventCodec.decode(body, PredictionCall.class);
		}
		catch (JacksonException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The body is not a prediction call");
		}
		if (call.requests() == null || call.requests().isEmpty()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A prediction call needs requests");
		}
		for (PredictionRequested request : call.requests()) {
			if (request == null || request.id() == null || request.model() == null || request.version() == null
					|| request.instances() == null || request.instances().isEmpty()) {
				throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
						"A prediction needs an id, a model, a version and rows");
			}
		}
		return call.requests();
	}

}
