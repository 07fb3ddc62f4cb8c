package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the fault suite found, one row per scenario, as a Markdown table with the evidence
 * of every problem below it.
 */
final class FaultTable {

	private final List<Outcome> outcomes = new ArrayList<>();

	/**
	 * One scenario's outcome.
	 *
	 * @param scenario what was done
	 * @param jobs jobs submitted
	 * @param items items submitted over all jobs
	 * @param faults faults injected
	 * @param lost items without a result or error, plus terminal jobs whose webhook
	 * neither arrived nor shows as failed
	 * @param duplicated items with more than one result, duplicate rows in PostgreSQL,
	 * and webhook messages (distinct ids) beyond one per job
	 * @param wrong results that differ from the model's own output
	 * @param stuck jobs that did not reach a terminal state in time
	 * @param webhooks terminal jobs whose webhook was accepted by the receiver
	 * @param webhooksFailed terminal jobs whose webhook shows as FAILED
	 * @param redeliveries messages the receiver got again after accepting them (dropped
	 * by its deduplication)
	 * @param seconds how long the scenario took
	 * @param problems the evidence, one line per problem
	 */
	record Outcome(String scenario, int jobs, long items, String faults, long lost, long duplicated, long wrong,
			int stuck, int webhooks, int webhooksFailed, int redeliveries, double seconds, List<String> problems) {

		boolean clean() {
			return this.lost == 0 && this.duplicated == 0 && this.wrong == 0 && this.stuck == 0
					&& this.problems.isEmpty();
		}

	}

	synchronized void add(Outcome outcome) {
		this.outcomes.add(outcome);
	}

	synchronized String markdown() {
		StringBuilder table = new StringBuilder();
		table.append("| scenario | jobs | items | faults | lost | duplicated | wrong outputs | stuck jobs "
				+ "| webhooks delivered (failed) | redeliveries deduplicated | seconds |\n");
		table.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Outcome o : this.outcomes) {
			table.append(String.format("| %s | %d | %d | %s | %d | %d | %d | %d | %d/%d (%d) | %d | %.1f |%n",
					o.scenario(), o.jobs(), o.items(), o.faults(), o.lost(), o.duplicated(), o.wrong(), o.stuck(),
					o.webhooks(), o.jobs(), o.webhooksFailed(), o.redeliveries(), o.seconds()));
		}
		for (Outcome o : this.outcomes) {
			if (!o.problems().isEmpty()) {
				table.append("\nProblems in \"").append(o.scenario()).append("\":\n");
				o.problems().forEach((problem) -> table.append("- ").append(problem).append('\n'));
			}
		}
		return table.toString();
	}

	synchronized void write(Path file, String heading) {
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, "# Fault suite, " + Instant.now() + "\n\n" + heading + "\n\n" + markdown());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
