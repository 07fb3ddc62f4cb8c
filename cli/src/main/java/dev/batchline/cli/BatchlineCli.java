package dev.batchline.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code batchline submit | jobs | status | watch | cancel | results}: the command-line
 * client of the jobs API. Errors are one line on stderr and an exit code scripts can use
 * ({@link ExitCodes}); never a stack trace.
 */
@Command(name = "batchline", usageHelpAutoWidth = true,
		description = { "The Batchline client: submit jobs, follow them, fetch their results.",
				"Every command takes --api-url (env BATCHLINE_API_URL, default http://localhost:8080), "
						+ "--api-key (env BATCHLINE_API_KEY), --output text|json and --help." },
		subcommands = { SubmitCommand.class, JobsCommand.class, StatusCommand.class, WatchCommand.class,
				CancelCommand.class, ResultsCommand.class },
		footer = { "",
				"Exit codes: 0 ok (a waited-for job SUCCEEDED), 1 client fault, 2 usage, 3 refused by the API, "
						+ "4 auth (401/403), 5 not found, 6 server or network; a waited-for job that ended "
						+ "10 FAILED, 11 PARTIALLY_SUCCEEDED, 12 CANCELLED, 13 EXPIRED. See docs/cli.md." })
public final class BatchlineCli implements Runnable {

	@Spec
	private CommandSpec spec;

	@CommandLine.Option(names = { "-h", "--help" }, usageHelp = true, description = "Show this help and exit.")
	private boolean help;

	@Override
	public void run() {
		throw new ParameterException(this.spec.commandLine(), "Missing a command");
	}

	/**
	 * The client, ready to {@link CommandLine#execute execute}; out and err are picocli's
	 * defaults until set.
	 */
	public static CommandLine commandLine() {
		CommandLine cli = new CommandLine(new BatchlineCli());
		cli.setCaseInsensitiveEnumValuesAllowed(true);
		cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
			PrintWriter err = commandLine.getErr();
			if (ex instanceof CliException failure) {
				err.println("batchline: " + failure.getMessage());
				err.flush();
				return failure.exitCode();
			}
			err.println("batchline: internal error: " + ex);
			err.flush();
			return ExitCodes.SOFTWARE;
		});
		return cli;
	}

	public static void main(String[] args) {
		CommandLine cli = commandLine();
		PrintWriter out = new PrintWriter(
				new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
		PrintWriter err = new PrintWriter(
				new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
		cli.setOut(out);
		cli.setErr(err);
		int exit = cli.execute(args);
		out.flush();
		err.flush();
		System.exit(exit);
	}

}
