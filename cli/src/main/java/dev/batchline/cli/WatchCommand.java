package dev.batchline.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code batchline watch ID}: progress until the job ends; the exit code tells how. */
@Command(name = "watch", sortOptions = false, description = { "Follow a job's progress (on stderr) until it ends.",
		"Exits 0 when it SUCCEEDED, with the code of its state otherwise (docs/cli.md)." })
final class WatchCommand implements Callable<Integer> {

	@Mixin
	private ClientOptions options;

	@Parameters(paramLabel = "ID", description = "The job's id.")
	private String id;

	@Override
	public Integer call() {
		JsonNode job = new JobWatcher(this.options.api()).watch(this.id, this.options.progressDisplay());
		this.options.print(job, (out) -> out.println(JobText.summary(job)));
		return ExitCodes.forState(job.get("state").asString());
	}

}
