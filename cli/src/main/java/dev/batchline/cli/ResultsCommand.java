package dev.batchline.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@code batchline results ID [--out F]}. */
@Command(name = "results", sortOptions = false,
		description = { "Fetch a job's results as NDJSON, one item per line in input order, to stdout or --out.",
				"While the job runs: the items recorded so far." })
final class ResultsCommand implements Callable<Integer> {

	@Mixin
	private ClientOptions options;

	@Parameters(paramLabel = "ID", description = "The job's id.")
	private String id;

	@Option(names = "--out", paramLabel = "FILE", description = "Write the results to FILE instead of stdout.")
	private Path out;

	@Override
	public Integer call() {
		ApiClient api = this.options.api();
		if (this.out == null) {
			ResultsDownload.toWriter(api, this.id, this.options.out());
			return ExitCodes.OK;
		}
		ResultsDownload.checkWritable(this.out);
		long results = ResultsDownload.toFile(api, this.id, this.out);
		if (this.options.jsonOutput()) {
			this.options.printJson(JsonNodeFactory.instance.objectNode()
				.put("job_id", this.id)
				.put("results", results)
				.put("out", this.out.toString()));
		}
		else {
			this.options.out().println(results + " results of job " + this.id + " written to " + this.out);
			this.options.out().flush();
		}
		return ExitCodes.OK;
	}

}
