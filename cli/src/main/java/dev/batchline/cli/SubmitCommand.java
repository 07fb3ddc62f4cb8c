package dev.batchline.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** {@code batchline submit FILE --model M [--wait] [--out F]}. */
@Command(name = "submit", sortOptions = false,
		description = { "Submit FILE (NDJSON: one instance per line) as a job, streamed from disk.",
				"Prints the job's id; with --wait follows it to its end and writes its results to --out or stdout." })
final class SubmitCommand implements Callable<Integer> {

	@Spec
	private CommandSpec spec;

	@Mixin
	private ClientOptions options;

	@Parameters(paramLabel = "FILE", description = "The items, one JSON value per line (docs/api.md).")
	private Path file;

	@Option(names = "--model", required = true, paramLabel = "M", description = "The model to run.")
	private String model;

	@Option(names = "--version", paramLabel = "V",
			description = "A version or label of the model (default: its split or newest served version).")
	private String version;

	@Option(names = "--metadata", paramLabel = "JSON", description = "A JSON object kept with the job.")
	private String metadata;

	@Option(names = "--completion-window", paramLabel = "WINDOW",
			description = "How long the job may take: 24h, 90m, PT2H or seconds (default: the server's, 24h).")
	private String completionWindow;

	@Option(names = "--idempotency-key", paramLabel = "KEY",
			description = "Sent as Idempotency-Key: the same key and file again within 24 h get the same job.")
	private String idempotencyKey;

	@Option(names = "--wait", description = "Follow the job to its end (progress on stderr), then fetch its results.")
	private boolean waitForJob;

	@Option(names = "--out", paramLabel = "FILE",
			description = "With --wait: write the results (NDJSON, in input order) to FILE instead of stdout.")
	private Path out;

	@Override
	public Integer call() {
		if (this.out != null && !this.waitForJob) {
			throw new ParameterException(this.spec.commandLine(),
					"--out needs --wait (or fetch the results later: batchline results ID --out FILE)");
		}
		checkMetadata();
		ApiClient.checkReadable(this.file);
		if (this.out != null) {
			ResultsDownload.checkWritable(this.out);
		}
		ApiClient api = this.options.api();
		Map<String, String> query = new LinkedHashMap<>();
		query.put("model", this.model);
		query.put("version", this.version);
		query.put("metadata", this.metadata);
		query.put("completion_window", this.completionWindow);
		JsonNode job = api.submit(this.file, query, this.idempotencyKey);
		String id = job.get("id").asString();
		if (!this.waitForJob) {
			if (this.options.jsonOutput()) {
				this.options.printJson(job);
			}
			else {
				this.options.out().println(id);
				this.options.out().flush();
				this.options.err().println(submitted(job));
				this.options.err().flush();
			}
			return ExitCodes.OK;
		}
		if (!this.options.jsonOutput()) {
			this.options.err().println(submitted(job));
			this.options.err().flush();
		}
		JsonNode finished = new JobWatcher(api).watch(id, this.options.progressDisplay());
		if (this.out != null) {
			long results = ResultsDownload.toFile(api, id, this.out);
			if (this.options.jsonOutput()) {
				this.options.printJson(finished);
			}
			else {
				this.options.out().println(JobText.summary(finished) + "; " + results + " results in " + this.out);
				this.options.out().flush();
			}
		}
		else {
			// stdout holds the results only: the summary goes to stderr
			ResultsDownload.toWriter(api, id, this.options.out());
			this.options.err().println(JobText.summary(finished));
			this.options.err().flush();
		}
		return ExitCodes.forState(finished.get("state").asString());
	}

	private void checkMetadata() {
		if (this.metadata == null) {
			return;
		}
		boolean object;
		try {
			object = this.options.json().readTree(this.metadata).isObject();
		}
		catch (JacksonException ex) {
			object = false;
		}
		if (!object) {
			throw new ParameterException(this.spec.commandLine(), "--metadata must be a JSON object");
		}
	}

	private static String submitted(JsonNode job) {
		return "Submitted job " + job.get("id").asString() + ": " + job.get("counts").get("total").asLong()
				+ " items, model " + job.get("model").asString() + " version " + job.path("version").asString("-");
	}

}
