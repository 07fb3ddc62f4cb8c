package dev.batchline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Follows a job to its end through its event stream ({@code GET /v1/jobs/{id}/events}),
 * feeding a {@link ProgressDisplay}. A stream that breaks is resumed with
 * {@code Last-Event-ID}, after the server's {@code retry} hint; after
 * {@link #MAX_FAILURES} failed attempts in a row the watch gives up.
 */
final class JobWatcher {

	static final Set<String> TERMINAL = Set.of("SUCCEEDED", "PARTIALLY_SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED");

	static final int MAX_FAILURES = 10;

	/** Three of the server's 15 s keep-alives missed. */
	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(45);

	private static final Duration DEFAULT_RETRY = Duration.ofSeconds(3);

	private final ApiClient api;

	JobWatcher(ApiClient api) {
		this.api = api;
	}

	/**
	 * Waits until the job has ended.
	 * @return the job as {@code GET /v1/jobs/{id}} answers at its end
	 */
	JsonNode watch(String id, ProgressDisplay progress) {
		JsonNode job = this.api.job(id);
		progress.update(processed(job.get("counts")), job.get("counts").get("total").asLong());
		String lastEventId = null;
		Duration retry = DEFAULT_RETRY;
		int failures = 0;
		boolean ended = isTerminal(job);
		while (!ended) {
			try {
				InputStream body = this.api.events(id, lastEventId);
				if (body == null) {
					// 204: the server has sent this client the job's last event already
					break;
				}
				boolean heard = false;
				try (EventStream events = new EventStream(body, IDLE_TIMEOUT)) {
					EventStream.Event event;
					while (!ended && (event = events.next()) != null) {
						heard = true;
						failures = 0;
						if (event.id() != null) {
							lastEventId = event.id();
						}
						ended = handle(event, progress);
					}
					if (events.retry() != null) {
						retry = events.retry();
					}
				}
				if (!ended && !heard) {
					failures = failed(failures, "the event stream ended before the job did");
				}
			}
			catch (IOException ex) {
				failures = failed(failures, "the event stream broke: " + ApiClient.describe(ex));
			}
			catch (ApiException ex) {
				if (!ex.transientFailure()) {
					throw ex;
				}
				failures = failed(failures, ex.getMessage());
			}
			catch (CliException ex) {
				if (ex.exitCode() != ExitCodes.UNAVAILABLE) {
					throw ex;
				}
				failures = failed(failures, ex.getMessage());
			}
			if (!ended) {
				// the stream ended or broke before the job did: resume after the last
				// event
				pause(retry);
			}
		}
		job = this.api.job(id);
		progress.finish(processed(job.get("counts")), job.get("counts").get("total").asLong(), took(job));
		return job;
	}

	private boolean handle(EventStream.Event event, ProgressDisplay progress) {
		JsonNode data = this.api.json().readTree(event.data());
		if ("progress".equals(event.name())) {
			JsonNode counts = data.get("counts");
			progress.update(processed(counts), counts.get("total").asLong());
			return false;
		}
		return "state".equals(event.name()) && TERMINAL.contains(data.path("to").asString(""));
	}

	private static int failed(int failures, String reason) {
		if (failures + 1 >= MAX_FAILURES) {
			throw new CliException(ExitCodes.UNAVAILABLE, reason + " (gave up after " + MAX_FAILURES + " attempts)");
		}
		return failures + 1;
	}

	/** From submission to the end, by the job's own times (one clock: the server's). */
	static Duration took(JsonNode job) {
		try {
			return Duration.between(Instant.parse(job.get("created_at").asString()),
					Instant.parse(job.get("finished_at").asString()));
		}
		catch (RuntimeException ex) {
			// a job without both times: the watch's own time is shown instead
			return null;
		}
	}

	static boolean isTerminal(JsonNode job) {
		return TERMINAL.contains(job.get("state").asString());
	}

	/** The items the workers have answered, successfully or not. */
	static long processed(JsonNode counts) {
		return counts.get("succeeded").asLong() + counts.get("failed").asLong();
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CliException(ExitCodes.UNAVAILABLE, "interrupted");
		}
	}

}
