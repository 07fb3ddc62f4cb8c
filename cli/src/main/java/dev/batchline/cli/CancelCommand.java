package dev.batchline.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code batchline cancel ID}. */
@Command(name = "cancel", sortOptions = false,
		description = { "Cancel a job: it becomes CANCELLING at once, CANCELLED when its work in hand is done.",
				"Use 'batchline watch ID' to wait for that." })
final class CancelCommand implements Callable<Integer> {

	@Mixin
	private ClientOptions options;

	@Parameters(paramLabel = "ID", description = "The job's id.")
	private String id;

	@Override
	public Integer call() {
		JsonNode job = this.options.api().cancel(this.id);
		this.options.print(job, (out) -> out.println(JobText.summary(job)));
		return ExitCodes.OK;
	}

}
