package dev.batchline.worker.caching;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.worker.items.Rows;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.outputs.ResultWriter;

/**
 * The cache's side of one predict over rows: which rows are answered from the
 * {@link ResultCache}, which row is predicted for each {@link RowKeys key}, and which
 * rows take that row's result (with their own index). Ask {@link #answered} only about
 * valid rows of chunks that asked for the cache; call {@link #finish} once every
 * predicted row has its result.
 */
public final class CachedRows {

	private final ResultCache cache;

	private final ServedModel model;

	private final Rows rows;

	/** The key of each row predicted for a key. */
	private final Map<Integer, String> predicted = new LinkedHashMap<>();

	/** The row predicted for each key. */
	private final Map<String, Integer> byKey = new HashMap<>();

	/** Rows that take the result of the row predicted for their key: row, that row. */
	private final Map<Integer, Integer> copies = new LinkedHashMap<>();

	private int fromCache;

	public CachedRows(ResultCache cache, ServedModel model, Rows rows) {
		this.cache = cache;
		this.model = model;
		this.rows = rows;
	}

	/**
	 * Whether row {@code r} needs no predict of its own: its output is cached (the row is
	 * answered now), or a row with its key is predicted in this call (the row is answered
	 * by {@link #finish}). Otherwise the row is the one predicted for its key.
	 * @param r a valid row of a chunk that asked for the cache
	 * @return whether to leave the row out of the predict calls
	 */
	public boolean answered(int r) {
		String key = RowKeys.of(this.model, this.rows, r);
		Integer first = this.byKey.get(key);
		if (first != null) {
			this.copies.put(r, first);
			return true;
		}
		byte[] output = this.cache.get(key);
		if (output != null) {
			this.rows.succeed(r, ResultWriter.success(this.rows.index(r), output));
			this.fromCache++;
			return true;
		}
		this.byKey.put(key, r);
		this.predicted.put(r, key);
		return false;
	}

	/**
	 * Caches the outputs predicted for keys, gives each copy its key's result (an error
	 * too), and counts the rows answered without a predict of their own.
	 */
	public void finish() {
		this.predicted.forEach((r, key) -> {
			if (this.rows.error(r) == null) {
				this.cache.put(key, ResultWriter.output(this.rows.result(r)));
			}
		});
		this.copies.forEach((r, first) -> {
			if (this.rows.error(first) != null) {
				this.rows.fail(r, this.rows.error(first));
			}
			else {
				this.rows.succeed(r,
						ResultWriter.success(this.rows.index(r), ResultWriter.output(this.rows.result(first))));
			}
		});
		if (this.fromCache > 0) {
			this.cache.answered(this.model, "cache", this.fromCache);
		}
		if (!this.copies.isEmpty()) {
			this.cache.answered(this.model, "batch", this.copies.size());
		}
	}

}
