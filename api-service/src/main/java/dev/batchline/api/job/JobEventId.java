package dev.batchline.api.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.batchline.api.system.ApiException;

/**
 * The id of a job event, {@code <sequence>-<processed>}: the sequence of the last state
 * change sent (1 for {@code QUEUED}, then 2, 3, … in the job's history) and the items
 * processed (succeeded + failed) as of the last {@code progress} event sent. Both only
 * grow, so ids grow with every event of a job, and the id of the last event a client saw
 * says exactly what it has: the state changes up to that sequence, and progress up to
 * that count.
 *
 * @param sequence the sequence of the last state change sent (0: none)
 * @param processed the items processed as of the last progress sent
 */
public record JobEventId(int sequence, long processed) {

	/** Before the first event: a stream from here sends the job's whole history. */
	public static final JobEventId START = new JobEventId(0, 0);

	private static final Pattern FORM = Pattern.compile("([0-9]{1,9})-([0-9]{1,18})");

	/**
	 * The id a client sent (SSE's {@code Last-Event-ID}, or another door's resume field),
	 * or {@link #START} for none.
	 * @param field where the client sent it, for the error
	 * @throws ApiException 400 for an id this service never sends
	 */
	public static JobEventId parse(String lastEventId, String field) {
		if (lastEventId == null || lastEventId.isEmpty()) {
			return START;
		}
		Matcher matcher = FORM.matcher(lastEventId);
		if (!matcher.matches()) {
			throw ApiException.badRequest(
					"'" + field + "' must be the id of an event of this stream: <state sequence>-<items processed>");
		}
		return new JobEventId(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2)));
	}

	public JobEventId withSequence(int next) {
		return new JobEventId(next, this.processed);
	}

	public JobEventId withProcessed(long next) {
		return new JobEventId(this.sequence, next);
	}

	@Override
	public String toString() {
		return this.sequence + "-" + this.processed;
	}

}
