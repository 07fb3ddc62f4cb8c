package dev.batchline.api.intake;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The items of an NDJSON body ({@code application/x-ndjson}), parsed one line at a time
 * while the body is read: one JSON value per line, blank lines skipped, {@code \n} or
 * {@code \r\n} line ends. Only the buffer and the current line are held, never the body.
 */
public final class NdjsonItems implements Items {

	private static final int BUFFER_BYTES = 64 * 1024;

	private final LimitedInputStream in;

	private final long maxBodyBytes;

	private final String bodyLimitProperty;

	private final long maxLineBytes;

	private final long size;

	private final byte[] buffer = new byte[BUFFER_BYTES];

	private int position;

	private int limit;

	private boolean ended;

	/** A line that spans buffer refills. */
	private byte[] spill = new byte[1024];

	private int spillLength;

	private long line;

	/** Items seen, the current one included. */
	private long items;

	private byte[] text;

	private int textOffset;

	private int textLength;

	private JsonNode tree;

	/**
	 * Reads items from a body.
	 * @param body the request body
	 * @param maxBodyBytes the most bytes read before 413
	 * @param bodyLimitProperty the property that sets {@code maxBodyBytes}, for the 413
	 * @param maxLineBytes the longest line (one item) accepted
	 * @param size the body's non-blank lines, counted while it was received
	 */
	public NdjsonItems(InputStream body, long maxBodyBytes, String bodyLimitProperty, long maxLineBytes, long size) {
		this.in = new LimitedInputStream(body, maxBodyBytes);
		this.maxBodyBytes = maxBodyBytes;
		this.bodyLimitProperty = bodyLimitProperty;
		this.maxLineBytes = maxLineBytes;
		this.size = size;
	}

	@Override
	public long size() {
		return this.size;
	}

	@Override
	public boolean advance() {
		this.tree = null;
		while (true) {
			int newline = indexOfNewline();
			if (newline >= 0) {
				this.line++;
				boolean found;
				if (this.spillLength == 0) {
					found = current(this.buffer, this.position, newline - this.position);
				}
				else {
					append(newline);
					found = current(this.spill, 0, this.spillLength);
					this.spillLength = 0;
				}
				this.position = newline + 1;
				if (found) {
					return true;
				}
			}
			else if (!this.ended) {
				append(this.limit);
				this.position = this.limit;
				fill();
			}
			else if (this.position < this.limit || this.spillLength > 0) {
				// the last line, without a line end
				append(this.limit);
				this.position = this.limit;
				this.line++;
				boolean found = current(this.spill, 0, this.spillLength);
				this.spillLength = 0;
				if (found) {
					return true;
				}
			}
			else {
				return false;
			}
		}
	}

	/**
	 * Makes a line the current item, unless it is blank. The spill is only overwritten by
	 * a later line, so its bytes stay valid until the next {@link #advance()}.
	 */
	private boolean current(byte[] bytes, int offset, int length) {
		int from = offset;
		int to = offset + length;
		while (from < to && isSpace(bytes[from])) {
			from++;
		}
		while (to > from && isSpace(bytes[to - 1])) {
			to--;
		}
		if (from == to) {
			return false;
		}
		this.text = bytes;
		this.textOffset = from;
		this.textLength = to - from;
		this.items++;
		return true;
	}

	@Override
	public byte[] text() {
		return this.text;
	}

	@Override
	public int textOffset() {
		return this.textOffset;
	}

	@Override
	public int textLength() {
		return this.textLength;
	}

	@Override
	public JsonNode tree() {
		if (this.tree == null) {
			this.tree = parse(this.text, this.textOffset, this.textLength);
		}
		return this.tree;
	}

	@Override
	public long line() {
		return this.line;
	}

	private int indexOfNewline() {
		for (int i = this.position; i < this.limit; i++) {
			if (this.buffer[i] == '\n') {
				return i;
			}
		}
		return -1;
	}

	/** Moves {@code buffer[position, end)} to the spill, which holds a line's start. */
	private void append(int end) {
		int length = end - this.position;
		if (length == 0) {
			return;
		}
		if (this.spillLength + (long) length > this.maxLineBytes) {
			throw new ApiException(ProblemKind.ITEM_TOO_LARGE,
					"line " + (this.line + 1) + " is longer than " + this.maxLineBytes
							+ " bytes (batchline.api.upload.max-item-bytes, the largest item)",
					Map.of("line", this.line + 1, "item_index", this.items));
		}
		if (this.spillLength + length > this.spill.length) {
			this.spill = Arrays.copyOf(this.spill,
					(int) Math.min(Integer.MAX_VALUE - 8, Math.max(this.spill.length * 2L, this.spillLength + length)));
		}
		System.arraycopy(this.buffer, this.position, this.spill, this.spillLength, length);
		this.spillLength += length;
	}

	private void fill() {
		this.position = 0;
		this.limit = 0;
		try {
			int n = this.in.readNBytes(this.buffer, 0, this.buffer.length);
			this.limit = n;
			this.ended = n < this.buffer.length;
		}
		catch (IOException ex) {
			if (this.in.exceeded()) {
				throw ApiException.bodyTooLarge(this.maxBodyBytes, this.bodyLimitProperty);
			}
			throw ApiException.badRequest("The request body could not be read to its end: " + ex.getMessage());
		}
	}

	/** The tree of the current item's line. */
	private JsonNode parse(byte[] bytes, int offset, int length) {
		try {
			return EventCodec.mapper().readTree(bytes, offset, length);
		}
		catch (JacksonException ex) {
			long index = this.items - 1;
			throw new ApiException(ProblemKind.MALFORMED_JSON,
					"line " + this.line + " (instances[" + index + "]) is not valid JSON: " + ex.getOriginalMessage(),
					Map.of("line", this.line, "item_index", index));
		}
	}

	private static boolean isSpace(byte b) {
		return b == ' ' || b == '\t' || b == '\r';
	}

}
