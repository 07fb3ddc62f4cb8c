package dev.batchline.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code batchline status ID}. */
@Command(name = "status", sortOptions = false, description = "Show a job: state, counts, times, history.")
final class StatusCommand implements Callable<Integer> {

	@Mixin
	private ClientOptions options;

	@Parameters(paramLabel = "ID", description = "The job's id.")
	private String id;

	@Override
	public Integer call() {
		JsonNode job = this.options.api().job(this.id);
		this.options.print(job, (out) -> JobText.status(out, job));
		return ExitCodes.OK;
	}

}
