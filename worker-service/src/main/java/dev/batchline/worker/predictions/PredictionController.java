package dev.batchline.worker.predictions;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResults;
import dev.batchline.contracts.PredictionCompleted;
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
 * installation). {@code POST} {@value PredictionRequested#PATH} with a
 * {@link PredictionRequested} answers 200 with its {@link PredictionCompleted}; 400 for a
 * request without id, model, version or rows, 503 when the worker takes no more (its
 * queue is full, or it stops: ask another), 504 when the request's deadline passed before
 * its turn.
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

	@PostMapping(path = PredictionRequested.PATH, consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	byte[] predict(@RequestBody byte[] body) throws InterruptedException {
		PredictionRequested request;
		try {
			// the contracts' own JSON form (snake_case), as the api-service writes it
			request = EventCodec.decode(body, PredictionRequested.class);
		}
		catch (JacksonException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The body is not a prediction request");
		}
		if (request.id() == null || request.model() == null || request.version() == null || request.instances() == null
				|| request.instances().isEmpty()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"A prediction needs an id, a model, a version and rows");
		}
		CompletableFuture<ItemResults> answer;
		try {
			answer = this.batcher.submit(request);
		}
		catch (RefusedException ex) {
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
		}
		Duration wait = (request.deadline() != null) ? Duration.between(Instant.now(), request.deadline())
				: NO_DEADLINE_WAIT;
		try {
			ItemResults results = answer.get(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
			return EventCodec.encode(
					new PredictionCompleted(request.id(), request.model(), request.version(), this.workerId, results));
		}
		catch (TimeoutException ex) {
			throw new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT, "the request's deadline passed");
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RefusedException refused) {
				throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, refused.getMessage());
			}
			if (ex.getCause() instanceof DeadlinePassedException) {
				throw new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT, "the request's deadline passed");
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

}
