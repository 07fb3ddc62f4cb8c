package dev.batchline.api.job;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import dev.batchline.contracts.EventCodec;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Splits a job's items, as they come, into chunks of at most {@code maxItems} items and
 * about {@code maxBytes} bytes, each the JSON array of its items (a single larger item
 * gets a chunk of its own). Both intake paths, the JSON body and the NDJSON stream, chunk
 * with this class; a finished chunk is handed on at once and only the one being filled is
 * held. An item that is valid as it was sent is added as its text; others as their tree.
 */
final class ChunkBuilder {

	private final int maxItems;

	private final int maxBytes;

	private final Consumer<Chunk> sink;

	private final Buffer current = new Buffer();

	private final Buffer item = new Buffer();

	/**
	 * One generator for all items: creating one per item costs more than writing the
	 * item.
	 */
	private final JsonGenerator generator = EventCodec.mapper()
		.writer()
		.withRootValueSeparator((String) null)
		.createGenerator(this.item);

	private int count;

	/** The ids of the items of the chunk being filled, once one of them has one. */
	private List<String> customIds;

	private int chunks;

	private long items;

	private long firstIndex;

	private long bytes;

	ChunkBuilder(int maxItems, int maxBytes, Consumer<Chunk> sink) {
		this.maxItems = maxItems;
		this.maxBytes = maxBytes;
		this.sink = sink;
	}

	/**
	 * Adds the next item, handing on the chunk it completes, if any.
	 * @param customId the caller's id of the item, or null
	 */
	void add(JsonNode value, String customId) {
		this.item.reset();
		this.generator.writeTree(value);
		this.generator.flush();
		add(this.item.buffer(), 0, this.item.size(), customId);
	}

	/**
	 * Adds the next item as the JSON text given (one valid JSON value), handing on the
	 * chunk it completes, if any.
	 * @param customId the caller's id of the item, or null
	 */
	void add(byte[] json, int offset, int length, String customId) {
		if (this.count > 0 && (this.count >= this.maxItems || this.current.size() + length + 2 > this.maxBytes)) {
			emit();
		}
		this.current.write((this.count == 0) ? '[' : ',');
		this.current.write(json, offset, length);
		if (customId != null && this.customIds == null) {
			this.customIds = new ArrayList<>(Collections.nCopies(this.count, null));
		}
		if (this.customIds != null) {
			this.customIds.add(customId);
		}
		this.count++;
		this.items++;
	}

	/** Hands on the last chunk; nothing when no item was added. */
	void finish() {
		this.generator.close();
		if (this.count > 0) {
			emit();
		}
	}

	/** The number of items added. */
	long items() {
		return this.items;
	}

	/** The bytes of the chunks handed on. */
	long bytes() {
		return this.bytes;
	}

	/** The number of chunks handed on. */
	int chunks() {
		return this.chunks;
	}

	private void emit() {
		this.current.write(']');
		byte[] ids = (this.customIds != null) ? EventCodec.encode(this.customIds) : null;
		this.sink.accept(new Chunk(this.chunks, this.firstIndex, this.count, this.current.toByteArray(), ids));
		this.customIds = null;
		this.bytes += this.current.size() + ((ids != null) ? ids.length : 0);
		this.chunks++;
		this.firstIndex += this.count;
		this.current.reset();
		this.count = 0;
	}

	/**
	 * A growing byte buffer whose bytes can be read without a copy. Not a
	 * {@code ByteArrayOutputStream}, which takes a lock on every call: three for each
	 * item here.
	 */
	private static final class Buffer extends OutputStream {

		private byte[] buf = new byte[8192];

		private int size;

		@Override
		public void write(int b) {
			room(1);
			this.buf[this.size++] = (byte) b;
		}

		@Override
		public void write(byte[] bytes, int offset, int length) {
			Objects.checkFromIndexSize(offset, length, bytes.length);
			room(length);
			System.arraycopy(bytes, offset, this.buf, this.size, length);
			this.size += length;
		}

		private void room(int more) {
			int needed = Math.addExact(this.size, more);
			if (needed > this.buf.length) {
				this.buf = Arrays.copyOf(this.buf,
						Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, 2L * this.buf.length)));
			}
		}

		byte[] buffer() {
			return this.buf;
		}

		int size() {
			return this.size;
		}

		void reset() {
			this.size = 0;
		}

		byte[] toByteArray() {
			return Arrays.copyOf(this.buf, this.size);
		}

	}

	/**
	 * One chunk of a job's input.
	 *
	 * @param number the chunk's number within its job, from 0
	 * @param firstIndex the job-wide index of its first item
	 * @param count its number of items
	 * @param instances the JSON array of its items
	 * @param customIds the JSON array of its items' {@code custom_id}s (null for an item
	 * without one), or null when none has one
	 */
	record Chunk(int number, long firstIndex, int count, byte[] instances, byte[] customIds) {
	}

}
