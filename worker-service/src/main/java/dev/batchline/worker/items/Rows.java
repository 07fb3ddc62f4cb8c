package dev.batchline.worker.items;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ItemResults;
import tools.jackson.databind.JsonNode;

/**
 * The items of several chunks as one sequence of rows, and each row's encoded result. The
 * rows of a poll's chunks are gathered into batches across chunk boundaries, so a batch
 * names its rows by their number here; each row remembers its chunk, its place in it and
 * its job-wide index, and the results go back to their chunks in order.
 */
public final class Rows {

	private final List<ChunkItems> chunks;

	/** The chunk of each row. */
	private final int[] chunk;

	/** The row's position within its chunk. */
	private final int[] local;

	private final byte[][] results;

	private final boolean[] failed;

	private final ItemError[] errors;

	public Rows(List<ChunkItems> chunks) {
		this.chunks = chunks;
		int total = 0;
		for (ChunkItems items : chunks) {
			total += items.size();
		}
		this.chunk = new int[total];
		this.local = new int[total];
		this.results = new byte[total][];
		this.failed = new boolean[total];
		this.errors = new ItemError[total];
		int r = 0;
		for (int c = 0; c < chunks.size(); c++) {
			for (int i = 0; i < chunks.get(c).size(); i++) {
				this.chunk[r] = c;
				this.local[r] = i;
				r++;
			}
		}
	}

	/** How many rows. */
	public int size() {
		return this.chunk.length;
	}

	/** How many chunks the rows come from. */
	public int chunks() {
		return this.chunks.size();
	}

	/** The number of row {@code r}'s chunk, in the order the chunks were given. */
	public int chunkOf(int r) {
		return this.chunk[r];
	}

	/** The items of row {@code r}'s chunk. */
	public ChunkItems itemsOf(int r) {
		return this.chunks.get(this.chunk[r]);
	}

	/** Row {@code r}'s position within its chunk. */
	public int local(int r) {
		return this.local[r];
	}

	/** Row {@code r}'s item as a tree (items read as trees only). */
	public JsonNode tree(int r) {
		return itemsOf(r).trees().get(this.local[r]);
	}

	/** Row {@code r}'s job-wide item index. */
	public long index(int r) {
		return itemsOf(r).firstIndex() + this.local[r];
	}

	/** Row {@code r} succeeded with this encoded result. */
	public void succeed(int r, byte[] json) {
		this.results[r] = json;
		this.failed[r] = false;
		this.errors[r] = null;
	}

	/** Row {@code r} failed. */
	public void fail(int r, ItemError error) {
		this.results[r] = EventCodec.encode(ItemResult.failure(index(r), error));
		this.failed[r] = true;
		this.errors[r] = error;
	}

	/** Row {@code r}'s encoded result, or null while it has none. */
	public byte[] result(int r) {
		return this.results[r];
	}

	/** Row {@code r}'s error, or null when it has none. */
	public ItemError error(int r) {
		return this.errors[r];
	}

	/** How many rows failed. */
	public long failedCount() {
		long count = 0;
		for (boolean f : this.failed) {
			count += f ? 1 : 0;
		}
		return count;
	}

	/** Each chunk's results, in the order the chunks were given. */
	public List<ItemResults> results() {
		List<ItemResults> perChunk = new ArrayList<>(this.chunks.size());
		int r = 0;
		for (ChunkItems items : this.chunks) {
			List<byte[]> json = Arrays.asList(this.results).subList(r, r + items.size());
			int failures = 0;
			for (int i = r; i < r + items.size(); i++) {
				failures += this.failed[i] ? 1 : 0;
			}
			perChunk.add(ItemResults.join(json, failures));
			r += items.size();
		}
		return perChunk;
	}

}
