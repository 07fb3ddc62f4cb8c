package dev.batchline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Streams a job's results ({@code GET /v1/jobs/{id}/results} as NDJSON) to a file or to
 * stdout, a buffer at a time: never the whole set in memory. A file is written beside its
 * name first and moved into place when complete, so a broken download never leaves a file
 * that looks whole.
 */
final class ResultsDownload {

	private static final int BUFFER = 64 * 1024;

	private ResultsDownload() {
	}

	/**
	 * @return how many results (lines) were written
	 */
	static long toFile(ApiClient api, String id, Path out) {
		Path target = out.toAbsolutePath();
		Path partial = target.resolveSibling(target.getFileName() + ".part");
		long lines;
		try (InputStream body = api.results(id); OutputStream file = Files.newOutputStream(partial)) {
			lines = copy(body, file);
		}
		catch (IOException ex) {
			deleteQuietly(partial);
			throw new CliException(ExitCodes.UNAVAILABLE,
					"could not download the results to " + out + ": " + ApiClient.describe(ex), ex);
		}
		catch (CliException ex) {
			deleteQuietly(partial);
			throw ex;
		}
		try {
			move(partial, target);
		}
		catch (IOException ex) {
			throw new CliException(ExitCodes.SOFTWARE, "could not write " + out + ": " + ApiClient.describe(ex), ex);
		}
		return lines;
	}

	/**
	 * @return how many results (lines) were written
	 */
	static long toWriter(ApiClient api, String id, PrintWriter out) {
		long lines = 0;
		try (InputStream body = api.results(id); Reader reader = new InputStreamReader(body, StandardCharsets.UTF_8)) {
			char[] buffer = new char[BUFFER];
			int read;
			while ((read = reader.read(buffer)) >= 0) {
				out.write(buffer, 0, read);
				for (int i = 0; i < read; i++) {
					if (buffer[i] == '\n') {
						lines++;
					}
				}
			}
			out.flush();
			return lines;
		}
		catch (IOException ex) {
			throw new CliException(ExitCodes.UNAVAILABLE, "the results download broke: " + ApiClient.describe(ex), ex);
		}
	}

	/**
	 * Checked before a job is submitted, so a wait does not end in an unwritable file.
	 */
	static void checkWritable(Path out) {
		Path parent = out.toAbsolutePath().getParent();
		if (Files.isDirectory(out) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
			throw new CliException(ExitCodes.USAGE, "cannot write " + out + ": not a file in a writable directory");
		}
	}

	private static long copy(InputStream in, OutputStream out) throws IOException {
		byte[] buffer = new byte[BUFFER];
		long lines = 0;
		int read;
		while ((read = in.read(buffer)) >= 0) {
			out.write(buffer, 0, read);
			for (int i = 0; i < read; i++) {
				if (buffer[i] == '\n') {
					lines++;
				}
			}
		}
		return lines;
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ignored) {
			// a partial file left behind is named .part
		}
	}

}
