package dev.batchline.api.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Receives request bodies into {@link BodySpool}s: the whole body, before any database
 * work, checked as it arrives against its byte limit, its pace (an upload that stalls or
 * trickles is cut with 408) and, for a body of lines, the longest line. All uploads in
 * progress share one spool budget ({@code batchline.api.upload.spool-max-bytes}) and one
 * memory budget, so many large or slow uploads at once cannot fill the disk or the heap.
 */
@Component
public class BodySpools {

	private static final Logger log = LoggerFactory.getLogger(BodySpools.class);

	/**
	 * Uploads that may hold their first bytes in memory at once; the others spool at
	 * once.
	 */
	private static final int MEMORY_SLOTS = 64;

	private static final int BUFFER_BYTES = 64 * 1024;

	private static final int RETRY_AFTER_SECONDS = 5;

	private final UploadProperties properties;

	private final Path directory;

	private final AtomicLong spooled = new AtomicLong();

	private final AtomicLong memoryInUse = new AtomicLong();

	public BodySpools(UploadProperties properties, MeterRegistry meters) {
		this.properties = properties;
		this.directory = properties.spoolDirectory();
		try {
			Files.createDirectories(this.directory);
			// a crash leaves spool files no request will close
			try (Stream<Path> leftovers = Files.list(this.directory)) {
				leftovers.filter((path) -> path.getFileName().toString().endsWith(".spool")).forEach((path) -> {
					try {
						Files.deleteIfExists(path);
					}
					catch (IOException ex) {
						log.warn("Could not delete the leftover spool file {}: {}", path, ex.toString());
					}
				});
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The upload spool directory " + this.directory + " is not usable", ex);
		}
		Gauge.builder("batchline.uploads.spooled.bytes", this.spooled, AtomicLong::get)
			.description("Bytes of request bodies being received")
			.register(meters);
	}

	/**
	 * Reads a body to its end.
	 * @param body the request's body
	 * @param maxBytes the most bytes allowed (413 past it)
	 * @param maxBytesProperty the setting that holds {@code maxBytes}, for the error
	 * @param lines whether the body is lines of items (NDJSON): lines are counted and
	 * each is bounded by {@code batchline.api.upload.max-item-bytes}
	 * @return the spool; the caller closes it
	 * @throws ApiException 413 past a limit, 408 for an upload that stalls or trickles,
	 * 503 when the spool budget is spent
	 */
	public BodySpool read(InputStream body, long maxBytes, String maxBytesProperty, boolean lines) {
		boolean inMemory = this.memoryInUse.addAndGet(this.properties.memoryBytes()) <= (long) MEMORY_SLOTS
				* this.properties.memoryBytes();
		if (!inMemory) {
			this.memoryInUse.addAndGet(-this.properties.memoryBytes());
		}
		BodySpool spool = new BodySpool(this, new byte[inMemory ? this.properties.memoryBytes() : 0]);
		try {
			receive(body, spool, maxBytes, maxBytesProperty, lines);
			return spool;
		}
		catch (RuntimeException ex) {
			spool.close();
			throw ex;
		}
	}

	private void receive(InputStream body, BodySpool spool, long maxBytes, String maxBytesProperty, boolean lines) {
		MessageDigest digest = sha256();
		Lines counted = lines ? new Lines(this.properties.maxItemBytes()) : null;
		byte[] buffer = new byte[BUFFER_BYTES];
		long started = System.nanoTime();
		long total = 0;
		try {
			for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
				total += n;
				if (total > maxBytes) {
					throw ApiException.bodyTooLarge(maxBytes, maxBytesProperty);
				}
				reserve(n);
				try {
					spool.write(buffer, 0, n);
				}
				catch (IOException ex) {
					// not part of the spool's size, which close() gives back
					this.spooled.addAndGet(-n);
					log.error("Could not spool an upload to {}: {}", this.directory, ex.toString());
					throw new ApiException(ProblemKind.UNAVAILABLE,
							"The service could not store the upload; retry after " + RETRY_AFTER_SECONDS + " seconds")
						.retryAfter(RETRY_AFTER_SECONDS);
				}
				digest.update(buffer, 0, n);
				if (counted != null) {
					counted.scan(buffer, n);
				}
				checkPace(started, total);
			}
			spool.finish(digest.digest(), (counted != null) ? counted.finish() : 0);
		}
		catch (SocketTimeoutException ex) {
			throw timedOut("no byte of the request body arrived for " + this.properties.idleTimeout().toSeconds()
					+ " s (batchline.api.upload.idle-timeout)");
		}
		catch (IOException ex) {
			if (ex.getCause() instanceof SocketTimeoutException) {
				throw timedOut("no byte of the request body arrived for " + this.properties.idleTimeout().toSeconds()
						+ " s (batchline.api.upload.idle-timeout)");
			}
			throw ApiException.badRequest("The request body could not be read to its end: " + ex.getMessage());
		}
	}

	private void reserve(int n) {
		if (this.spooled.addAndGet(n) > this.properties.spoolMaxBytes()) {
			this.spooled.addAndGet(-n);
			throw new ApiException(ProblemKind.UNAVAILABLE,
					"The service is receiving as many uploads as it can hold (batchline.api.upload.spool-max-bytes); "
							+ "retry after " + RETRY_AFTER_SECONDS + " seconds")
				.retryAfter(RETRY_AFTER_SECONDS);
		}
	}

	/** Cuts an upload slower on average than the least pace, once its grace is over. */
	private void checkPace(long started, long total) {
		long elapsedNanos = System.nanoTime() - started;
		if (this.properties.minBytesPerSecond() > 0 && elapsedNanos > this.properties.grace().toNanos()
				&& total < this.properties.minBytesPerSecond() * (elapsedNanos / 1_000_000_000.0)) {
			throw timedOut("the request body arrives slower than " + this.properties.minBytesPerSecond()
					+ " bytes per second (batchline.api.upload.min-bytes-per-second)");
		}
	}

	private static ApiException timedOut(String why) {
		return new ApiException(ProblemKind.REQUEST_TIMEOUT, "The upload was cut: " + why);
	}

	Path newFile() throws IOException {
		return Files.createTempFile(this.directory, "upload-", ".spool");
	}

	/** Gives back what a closed spool held. */
	void released(long size, int memoryBytes) {
		this.spooled.addAndGet(-size);
		if (memoryBytes > 0) {
			this.memoryInUse.addAndGet(-memoryBytes);
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

	/**
	 * Counts the lines of a body of lines as it arrives, and refuses a line longer than
	 * an item may be before more of it is spooled.
	 */
	private static final class Lines {

		private final int maxLineBytes;

		private long line = 1;

		private long lineBytes;

		private boolean content;

		private long items;

		Lines(int maxLineBytes) {
			this.maxLineBytes = maxLineBytes;
		}

		void scan(byte[] bytes, int length) {
			for (int i = 0; i < length; i++) {
				byte b = bytes[i];
				if (b == '\n') {
					if (this.content) {
						this.items++;
					}
					this.line++;
					this.lineBytes = 0;
					this.content = false;
				}
				else {
					if (++this.lineBytes > this.maxLineBytes) {
						throw new ApiException(ProblemKind.ITEM_TOO_LARGE,
								"line " + this.line + " is longer than " + this.maxLineBytes
										+ " bytes (batchline.api.upload.max-item-bytes, the largest item)",
								Map.of("line", this.line, "item_index", this.items));
					}
					this.content |= b != ' ' && b != '\t' && b != '\r';
				}
			}
		}

		long finish() {
			return this.content ? this.items + 1 : this.items;
		}

	}

}
