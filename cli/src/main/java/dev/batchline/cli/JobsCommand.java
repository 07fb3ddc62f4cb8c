package dev.batchline.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code batchline jobs [--limit N] [--state S] [--cursor C]}: one page, newest first.
 */
@Command(name = "jobs", sortOptions = false, description = "List jobs, newest first, a page at a time.")
final class JobsCommand implements Callable<Integer> {

	@Mixin
	private ClientOptions options;

	@Option(names = "--limit", paramLabel = "N", description = "Jobs per page, 1 to 100 (default: the server's, 20).")
	private Integer limit;

	@Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state (e.g. running).")
	private String state;

	@Option(names = "--cursor", paramLabel = "CURSOR", description = "The next page: a previous page's next cursor.")
	private String cursor;

	@Override
	public Integer call() {
		JsonNode page = this.options.api().jobs(this.limit, this.state, this.cursor);
		if (this.options.jsonOutput()) {
			this.options.printJson(page);
			return ExitCodes.OK;
		}
		JobText.tableHeader(this.options.out());
		for (JsonNode job : page.path("data")) {
			JobText.tableRow(this.options.out(), job);
		}
		if (page.hasNonNull("next_cursor")) {
			this.options.out().println("next page: --cursor " + page.get("next_cursor").asString());
		}
		this.options.out().flush();
		return ExitCodes.OK;
	}

}
