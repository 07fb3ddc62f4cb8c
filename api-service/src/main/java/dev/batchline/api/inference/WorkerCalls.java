package dev.batchline.api.inference;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.PredictionCall;
import dev.batchline.contracts.PredictionCompleted;
import dev.batchline.contracts.PredictionReply;
import dev.batchline.contracts.PredictionRequested;
import io.micrometer.core.instrument.DistributionSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's requests to one worker. They queue here and go in calls
 * ({@link PredictionCall}) of every request waiting, up to {@code worker-call-rows} rows,
 * with at most {@code worker-calls} calls in flight: while calls are out, the requests
 * that come meanwhile wait and make the next call, so that under load one call carries
 * many requests and the worker predicts them together. No thread of its own and none
 * waiting: a request that finds a call free sends the call itself (a lone request goes at
 * once), and a call that comes back sends the next one, of the requests queued meanwhile,
 * from the thread that took its answer.
 */
final class WorkerCalls {

	private static final Logger log = LoggerFactory.getLogger(WorkerCalls.class);

	/** How a request asked of this worker ended. */
	sealed interface Outcome {

		/** The worker predicted it. */
		record Answered(PredictionCompleted answer) implements Outcome {
		}

		/** The worker did not take it (its queue was full, or it stops): ask another. */
		record Refused() implements Outcome {
		}

		/** The call failed (the worker cannot be reached, or broke the connection). */
		record Failed() implements Outcome {
		}

		/** Its deadline passed before the worker answered. */
		record Expired() implements Outcome {
		}

	}

	private static final Outcome REFUSED = new Outcome.Refused();

	private static final Outcome FAILED = new Outcome.Failed();

	private static final Outcome EXPIRED = new Outcome.Expired();

	private final String endpoint;

	private final URI uri;

	private final HttpClient http;

	private final int maxRows;

	private final DistributionSummary callSizes;

	/** Free calls. */
	private final Semaphore calls;

	private final Queue<Waiting> queue = new ConcurrentLinkedQueue<>();

	/** Requests queued or in a call. */
	private final AtomicInteger outstanding = new AtomicInteger();

	WorkerCalls(String endpoint, HttpClient http, int maxCalls, int maxRows, DistributionSummary callSizes) {
		this.endpoint = endpoint;
		this.uri = URI.create(endpoint + PredictionCall.PATH);
		this.http = http;
		this.maxRows = maxRows;
		this.callSizes = callSizes;
		this.calls = new Semaphore(maxCalls);
	}

	String endpoint() {
		return this.endpoint;
	}

	/** Requests queued here or in a call to the worker. */
	int outstanding() {
		return this.outstanding.get();
	}

	/**
	 * Asks the worker, in a call with the requests that wait with this one.
	 * @param request the request
	 * @param deadline when to stop waiting ({@link System#nanoTime()})
	 * @return how it ends, {@link Outcome.Expired} at the deadline at the latest; it
	 * completes on the thread that took the worker's answer (or on the JDK's delayer
	 * thread when it expires)
	 */
	CompletableFuture<Outcome> ask(PredictionRequested request, long deadline) {
		Waiting self = new Waiting(request, deadline, new CompletableFuture<>());
		this.outstanding.incrementAndGet();
		self.outcome().whenComplete((outcome, failure) -> this.outstanding.decrementAndGet());
		this.queue.add(self);
		if (this.calls.tryAcquire()) {
			send();
		}
		return self.outcome()
			.completeOnTimeout(EXPIRED, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
	}

	/**
	 * Sends one call, holding a free call: the requests queued that still wait, up to
	 * {@code maxRows} rows (a request with more rows than are left still goes). The
	 * call's answer frees the call, which goes on with the requests queued meanwhile.
	 */
	private void send() {
		List<Waiting> call = new ArrayList<>();
		try {
			int rows = 0;
			while (rows < this.maxRows) {
				Waiting next = this.queue.poll();
				if (next == null) {
					break;
				}
				if (!next.outcome().isDone()) {
					call.add(next);
					rows += next.request().instances().size();
				}
			}
			if (call.isEmpty()) {
				release();
				return;
			}
			this.callSizes.record(call.size());
			long deadline = call.stream().mapToLong(Waiting::deadline).max().orElseThrow();
			this.http
				.sendAsync(HttpRequest.newBuilder(this.uri)
					.timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofByteArray(
							EventCodec.encode(new PredictionCall(call.stream().map(Waiting::request).toList()))))
					.build(), HttpResponse.BodyHandlers.ofByteArray())
				.whenComplete((reply, failure) -> {
					try {
						answer(call, reply, failure);
					}
					finally {
						release();
					}
				});
		}
		catch (RuntimeException ex) {
			// the call could not even start: its requests fail like a failed call's
			answer(call, null, ex);
			release();
		}
	}

	/**
	 * Frees a call and, if requests are queued and a call is free (this one, unless
	 * another request took it meanwhile), sends them.
	 */
	private void release() {
		this.calls.release();
		if (!this.queue.isEmpty() && this.calls.tryAcquire()) {
			send();
		}
	}

	/** Gives each request of the call its part of the worker's reply, or the failure. */
	private void answer(List<Waiting> call, HttpResponse<byte[]> response, Throwable failure) {
		Outcome failed = FAILED;
		Map<String, Outcome> outcomes = new HashMap<>();
		if (failure != null) {
			Throwable cause = (failure instanceof CompletionException) ? failure.getCause() : failure;
			if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
				failed = EXPIRED;
			}
			else {
				log.warn("Worker {} failed a call of {} predictions ({})", this.endpoint, call.size(),
						cause.toString());
			}
		}
		else if (response.statusCode() == 503) {
			// the worker's server takes nothing now (it stops): ask another
			failed = REFUSED;
		}
		else if (response.statusCode() != 200) {
			// the api-service and the worker disagree on the call
			log.error("Worker {} answered a call of {} predictions with {}: {}", this.endpoint, call.size(),
					response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
		}
		else {
			try {
				PredictionReply reply = EventCodec.decode(response.body(), PredictionReply.class);
				reply.answered().forEach((answer) -> outcomes.put(answer.id(), new Outcome.Answered(answer)));
				reply.refused().forEach((id) -> outcomes.put(id, REFUSED));
				reply.expired().forEach((id) -> outcomes.put(id, EXPIRED));
				// a request the reply leaves out: ask another worker
				failed = REFUSED;
			}
			catch (RuntimeException ex) {
				log.error("Worker {} answered a call of {} predictions with a reply not understood", this.endpoint,
						call.size(), ex);
			}
		}
		for (Waiting waiting : call) {
			waiting.outcome().complete(outcomes.getOrDefault(waiting.request().id(), failed));
		}
	}

	private record Waiting(PredictionRequested request, long deadline, CompletableFuture<Outcome> outcome) {
	}

}
