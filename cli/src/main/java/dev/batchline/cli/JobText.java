package dev.batchline.cli;

import java.io.PrintWriter;
import java.util.Locale;

import tools.jackson.databind.JsonNode;

/** Jobs as text for people: a summary line, a status block, a table row. */
final class JobText {

	private static final String ROW = "%-36s  %-19s  %-12s  %-7s  %-19s  %s%n";

	private JobText() {
	}

	/** {@code Job 3b0c… SUCCEEDED: 10000 items, 10000 succeeded, 0 failed, 0 skipped}. */
	static String summary(JsonNode job) {
		JsonNode counts = job.get("counts");
		return String.format(Locale.ROOT, "Job %s %s: %d items, %d succeeded, %d failed, %d skipped, %d pending",
				job.get("id").asString(), job.get("state").asString(), counts.get("total").asLong(),
				counts.get("succeeded").asLong(), counts.get("failed").asLong(), counts.path("skipped").asLong(),
				counts.path("pending").asLong());
	}

	static void status(PrintWriter out, JsonNode job) {
		JsonNode counts = job.get("counts");
		field(out, "job", job.get("id").asString());
		field(out, "state", job.get("state").asString());
		field(out, "model", job.get("model").asString() + " (version " + job.path("version").asString("-") + ")");
		field(out, "items",
				String.format(Locale.ROOT, "%d total, %d succeeded, %d failed, %d skipped, %d pending",
						counts.get("total").asLong(), counts.get("succeeded").asLong(), counts.get("failed").asLong(),
						counts.path("skipped").asLong(), counts.path("pending").asLong()));
		for (String time : new String[] { "created_at", "started_at", "finished_at", "expires_at", "results_expire_at",
				"purged_at" }) {
			if (job.hasNonNull(time)) {
				field(out, time.replace("_at", "").replace('_', ' '), job.get(time).asString());
			}
		}
		if (job.hasNonNull("metadata") && !job.get("metadata").isEmpty()) {
			field(out, "metadata", job.get("metadata").toString());
		}
		String label = "history";
		for (JsonNode change : job.path("history")) {
			field(out, label, String.format(Locale.ROOT, "%-19s %s  %s", change.path("to").asString(),
					change.path("at").asString(), change.path("reason").asString("")));
			label = "";
		}
		out.flush();
	}

	static void tableHeader(PrintWriter out) {
		out.printf(Locale.ROOT, ROW, "ID", "STATE", "MODEL", "VERSION", "PROCESSED/TOTAL", "CREATED");
	}

	static void tableRow(PrintWriter out, JsonNode job) {
		JsonNode counts = job.get("counts");
		out.printf(Locale.ROOT, ROW, job.get("id").asString(), job.get("state").asString(), job.get("model").asString(),
				job.path("version").asString("-"), JobWatcher.processed(counts) + "/" + counts.get("total").asLong(),
				job.path("created_at").asString(""));
	}

	private static void field(PrintWriter out, String name, String value) {
		out.printf(Locale.ROOT, "%-14s %s%n", name, value);
	}

}
