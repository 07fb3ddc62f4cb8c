package dev.batchline.bench;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What scenario 7's requests were answered other than 200, by status (0: no answer, the
 * connection failed), with the first body of each status for the report. Shared by the
 * scenario's threads.
 */
final class Answers {

	private static final int SHOWN = 300;

	private final Map<Integer, Long> counts = new TreeMap<>();

	private final Map<Integer, String> first = new TreeMap<>();

	/** Sends a request; its answer, or null when the connection failed (counted). */
	KeepAlive.Answer exchange(KeepAlive connection, byte[] request) {
		try {
			KeepAlive.Answer answer = connection.exchange(request);
			if (answer.status() != 200) {
				count(answer.status(), answer.text());
			}
			return answer;
		}
		catch (IOException ex) {
			count(0, ex.toString());
			return null;
		}
	}

	private synchronized void count(int status, String body) {
		this.counts.merge(status, 1L, Long::sum);
		this.first.putIfAbsent(status, body.substring(0, Math.min(SHOWN, body.length())));
	}

	synchronized void report(Report report) {
		report.add(new Report.Row(SynchronousInference.SCENARIO, "answers other than 200, by status (0: none)",
				this.counts.isEmpty() ? "none" : this.counts.toString(), "—", "—", "none",
				this.counts.isEmpty() ? "PASS" : "FAIL"));
		this.first.forEach((status, body) -> report
			.note("Scenario 7: the first answer " + status + " of " + this.counts.get(status) + ": " + body));
	}

}
