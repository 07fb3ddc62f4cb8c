package dev.batchline.api.intake;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body read to its end before it is used: its first bytes in memory, the rest
 * in a spool file, which {@link #close()} deletes. It can be read again as often as
 * needed ({@link #open()}), so a body is parsed while a transaction is open without a
 * client being able to make that transaction wait. Made by {@link BodySpools}.
 */
public final class BodySpool implements Closeable {

	private final BodySpools spools;

	private final byte[] memory;

	private int memoryLength;

	private Path file;

	private OutputStream fileOut;

	private long size;

	private byte[] digest;

	private long lines;

	private final List<Closeable> opened = new ArrayList<>();

	BodySpool(BodySpools spools, byte[] memory) {
		this.spools = spools;
		this.memory = memory;
	}

	/** Appends bytes read from the client. */
	void write(byte[] bytes, int offset, int length) throws IOException {
		int toMemory = Math.min(length, this.memory.length - this.memoryLength);
		System.arraycopy(bytes, offset, this.memory, this.memoryLength, toMemory);
		this.memoryLength += toMemory;
		if (toMemory < length) {
			if (this.fileOut == null) {
				this.file = this.spools.newFile();
				this.fileOut = Files.newOutputStream(this.file);
			}
			this.fileOut.write(bytes, offset + toMemory, length - toMemory);
		}
		this.size += length;
	}

	/** Marks the body complete. */
	void finish(byte[] digest, long lines) throws IOException {
		this.digest = digest;
		this.lines = lines;
		if (this.fileOut != null) {
			this.fileOut.close();
			this.fileOut = null;
		}
	}

	/** The body's length in bytes. */
	public long size() {
		return this.size;
	}

	/** The SHA-256 digest of the body. */
	public byte[] digest() {
		return this.digest.clone();
	}

	/** The lines with anything but white space (for a body of lines: its items). */
	public long nonBlankLines() {
		return this.lines;
	}

	/** The body from its start; closed with the spool at the latest. */
	public InputStream open() {
		try {
			InputStream start = new ByteArrayInputStream(this.memory, 0, this.memoryLength);
			InputStream in = (this.file != null) ? new SequenceInputStream(start, Files.newInputStream(this.file))
					: start;
			this.opened.add(in);
			return in;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code length} bytes from {@code offset}. */
	byte[] read(long offset, int length) {
		try (InputStream in = open()) {
			in.skipNBytes(offset);
			return in.readNBytes(length);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Closes what was opened, deletes the spool file and gives back its budget. */
	@Override
	public void close() {
		for (Closeable in : this.opened) {
			try {
				in.close();
			}
			catch (IOException ex) {
				// nothing is left to read
			}
		}
		this.opened.clear();
		try {
			if (this.fileOut != null) {
				this.fileOut.close();
			}
			if (this.file != null) {
				Files.deleteIfExists(this.file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			this.spools.released(this.size, this.memory.length);
		}
	}

}
