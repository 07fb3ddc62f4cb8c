package dev.batchline.api.intake;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Stops reading past a limit, so an oversized body is refused without being held whole.
 */
final class LimitedInputStream extends FilterInputStream {

	private final long limit;

	private long count;

	private boolean exceeded;

	LimitedInputStream(InputStream in, long limit) {
		super(in);
		this.limit = limit;
	}

	boolean exceeded() {
		return this.exceeded;
	}

	@Override
	public int read() throws IOException {
		int b = super.read();
		if (b >= 0) {
			count(1);
		}
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = super.read(buffer, offset, length);
		if (n > 0) {
			count(n);
		}
		return n;
	}

	private void count(int n) throws IOException {
		this.count += n;
		if (this.count > this.limit) {
			this.exceeded = true;
			throw new IOException("request body exceeds " + this.limit + " bytes");
		}
	}

}
