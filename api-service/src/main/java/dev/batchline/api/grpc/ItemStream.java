package dev.batchline.api.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The items of a streamed submission as the body of an NDJSON one: each instance a line,
 * read by the same intake ({@code BodySpools}, {@code NdjsonItems}). Messages are taken
 * from the call as this stream is read (a few ahead), so a client can send no faster than
 * the job is spooled. A pause longer than the upload's idle timeout reads as a socket
 * timeout, as a stalled HTTP body does.
 */
final class ItemStream extends InputStream {

	/** Messages asked of the client ahead of the reader. */
	static final int AHEAD = 32;

	private static final byte[] END = new byte[0];

	private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

	private final ServerCallStreamObserver<?> call;

	private final Duration idleTimeout;

	private byte[] chunk = new byte[0];

	private int position;

	private volatile IOException failure;

	ItemStream(ServerCallStreamObserver<?> call, Duration idleTimeout) {
		this.call = call;
		this.idleTimeout = idleTimeout;
	}

	/**
	 * Adds a message's items: its instances, one line each, then its lines of NDJSON as
	 * they are, the last ended with a line break if it has none (lines never run across
	 * messages). A line break inside an instance is JSON whitespace, so it becomes a
	 * space: an instance stays one line. One chunk a message, even an empty one, so that
	 * each message read asks for the next.
	 */
	void add(List<ByteString> instances, ByteString ndjson) {
		boolean ended = ndjson.isEmpty() || ndjson.byteAt(ndjson.size() - 1) == '\n';
		int size = ndjson.size() + (ended ? 0 : 1);
		for (ByteString instance : instances) {
			size += instance.size() + 1;
		}
		byte[] lines = new byte[size];
		int at = 0;
		for (ByteString instance : instances) {
			instance.copyTo(lines, at);
			for (int i = at; i < at + instance.size(); i++) {
				if (lines[i] == '\n' || lines[i] == '\r') {
					lines[i] = ' ';
				}
			}
			at += instance.size();
			lines[at++] = '\n';
		}
		ndjson.copyTo(lines, at);
		if (!ended) {
			lines[size - 1] = '\n';
		}
		this.chunks.add(lines);
	}

	/** The client half-closed: the items are complete. */
	void end() {
		this.chunks.add(END);
	}

	/**
	 * The call failed: the client cancelled it, or it ends with an error of its own. The
	 * reader fails, and leaves the answer to whoever failed the call.
	 */
	void fail(Throwable cause) {
		this.failure = new IOException("the client cancelled the stream of items", cause);
		this.chunks.add(END);
	}

	/** Whether the call failed ({@link #fail}): then the call has its answer. */
	boolean failed() {
		return this.failure != null;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		while (this.position == this.chunk.length) {
			if (this.chunk == END) {
				return -1;
			}
			this.chunk = next();
			this.position = 0;
		}
		int n = Math.min(length, this.chunk.length - this.position);
		System.arraycopy(this.chunk, this.position, buffer, offset, n);
		this.position += n;
		return n;
	}

	private byte[] next() throws IOException {
		byte[] next;
		try {
			next = this.chunks.poll(this.idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
		if (next == null) {
			throw new SocketTimeoutException("no item arrived for " + this.idleTimeout);
		}
		if (this.failure != null) {
			throw this.failure;
		}
		if (next != END) {
			this.call.request(1);
		}
		return next;
	}

}
