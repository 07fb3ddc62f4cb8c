package dev.batchline.cli;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads a server-sent event stream (the WHATWG HTML standard's format) one event at a
 * time. A stream that stays silent for longer than {@code idleTimeout} (the server sends
 * a keep-alive comment every 15 s) is closed, so that a connection dropped without a
 * reset ends in an {@link IOException} the caller resumes from, instead of waiting
 * forever.
 */
final class EventStream implements Closeable {

	/** One event: {@code id} and {@code name} may be null. */
	record Event(String id, String name, String data) {
	}

	private final InputStream body;

	private final BufferedReader reader;

	private final ScheduledExecutorService watchdog;

	private volatile long lastRead = System.nanoTime();

	private volatile boolean idle;

	private Duration retry;

	EventStream(InputStream body, Duration idleTimeout) {
		this.body = body;
		this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
		this.watchdog = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "batchline-event-stream-watchdog");
			thread.setDaemon(true);
			return thread;
		});
		long check = Math.max(1, idleTimeout.toMillis() / 4);
		this.watchdog.scheduleWithFixedDelay(() -> {
			if (System.nanoTime() - this.lastRead > idleTimeout.toNanos()) {
				this.idle = true;
				ApiClient.close(this.body);
			}
		}, check, check, TimeUnit.MILLISECONDS);
	}

	/**
	 * The next event, or null when the server ended the stream.
	 * @throws IOException when the connection broke or stayed silent too long
	 */
	Event next() throws IOException {
		String id = null;
		String name = null;
		StringBuilder data = null;
		while (true) {
			String line = readLine();
			if (line == null) {
				return null;
			}
			if (line.isEmpty()) {
				if (data != null) {
					return new Event(id, name, data.toString());
				}
				id = null;
				name = null;
				continue;
			}
			if (line.startsWith(":")) {
				continue;
			}
			int colon = line.indexOf(':');
			String field = (colon < 0) ? line : line.substring(0, colon);
			String value = (colon < 0) ? "" : line.substring(colon + 1);
			if (value.startsWith(" ")) {
				value = value.substring(1);
			}
			switch (field) {
				case "id" -> id = value;
				case "event" -> name = value;
				case "data" -> data = (data == null) ? new StringBuilder(value) : data.append('\n').append(value);
				case "retry" -> this.retry = retry(value);
				default -> {
					// other fields are ignored, as the standard says
				}
			}
		}
	}

	/** The reconnection time the server asked for ({@code retry:}), or null. */
	Duration retry() {
		return this.retry;
	}

	private String readLine() throws IOException {
		try {
			String line = this.reader.readLine();
			this.lastRead = System.nanoTime();
			return line;
		}
		catch (IOException ex) {
			if (this.idle) {
				throw new IOException("no event or keep-alive for too long", ex);
			}
			throw ex;
		}
	}

	private static Duration retry(String value) {
		try {
			return Duration.ofMillis(Long.parseLong(value));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public void close() {
		this.watchdog.shutdownNow();
		ApiClient.close(this.body);
	}

}
