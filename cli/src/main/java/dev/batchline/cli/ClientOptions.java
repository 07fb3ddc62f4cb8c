package dev.batchline.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Consumer;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The options every client command takes: where the API is, the key, the output format,
 * and where progress goes. Mixed into each command.
 */
final class ClientOptions {

	/** The output format of a command's answer on stdout. */
	enum Output {

		TEXT, JSON

	}

	/**
	 * Where progress goes: {@code auto} is a bar on a terminal, lines in text mode
	 * elsewhere, none for json.
	 */
	enum Progress {

		AUTO, BAR, LINES, NONE

	}

	/**
	 * Whether stderr is a terminal; the {@code batchline} script sets it
	 * ({@code [ -t 2 ]}), as Java cannot tell on its own.
	 */
	static final String TTY_PROPERTY = "batchline.cli.tty";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Spec(Spec.Target.MIXEE)
	private CommandSpec spec;

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "Show this help and exit.")
	private boolean help;

	@Option(names = "--api-url", paramLabel = "URL", defaultValue = "${env:BATCHLINE_API_URL:-http://localhost:8080}",
			description = "The API's base URL (env BATCHLINE_API_URL; default ${DEFAULT-VALUE}).")
	private String apiUrl;

	@Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:BATCHLINE_API_KEY}",
			description = "The tenant's API key (env BATCHLINE_API_KEY).")
	private String apiKey;

	@Option(names = { "-o", "--output" }, paramLabel = "FORMAT", defaultValue = "text",
			description = "text (for people) or json (one JSON document on stdout). Default: text.")
	private Output output;

	@Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
			description = "Where a wait shows progress, on stderr: auto, bar, lines or none. auto: a bar on a terminal, "
					+ "lines otherwise (none with --output json). Default: auto.")
	private Progress progress;

	ApiClient api() {
		return new ApiClient(apiUri(), this.apiKey, JSON);
	}

	JsonMapper json() {
		return JSON;
	}

	boolean jsonOutput() {
		return this.output == Output.JSON;
	}

	PrintWriter out() {
		return this.spec.commandLine().getOut();
	}

	PrintWriter err() {
		return this.spec.commandLine().getErr();
	}

	/** Prints a JSON document as one line on stdout. */
	void printJson(JsonNode document) {
		out().println(JSON.writeValueAsString(document));
		out().flush();
	}

	/**
	 * Prints a job as the output format asks: the document itself for {@code json}, else
	 * its text.
	 */
	void print(JsonNode job, Consumer<PrintWriter> text) {
		if (jsonOutput()) {
			printJson(job);
		}
		else {
			text.accept(out());
			out().flush();
		}
	}

	ProgressDisplay progressDisplay() {
		ProgressDisplay.Mode mode = switch (this.progress) {
			case BAR -> ProgressDisplay.Mode.BAR;
			case LINES -> ProgressDisplay.Mode.LINES;
			case NONE -> ProgressDisplay.Mode.NONE;
			case AUTO -> {
				if (Boolean.getBoolean(TTY_PROPERTY)) {
					yield ProgressDisplay.Mode.BAR;
				}
				yield jsonOutput() ? ProgressDisplay.Mode.NONE : ProgressDisplay.Mode.LINES;
			}
		};
		return new ProgressDisplay(err(), mode, System::nanoTime);
	}

	private URI apiUri() {
		try {
			URI uri = new URI(this.apiUrl.strip());
			if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
					|| uri.getRawQuery() != null || uri.getRawFragment() != null) {
				throw new URISyntaxException(this.apiUrl, "an http or https URL without query or fragment expected");
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			throw new ParameterException(this.spec.commandLine(),
					"Invalid value for option '--api-url': '" + this.apiUrl + "' is not an http(s) URL");
		}
	}

}
