package dev.batchline.worker.caching;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import dev.batchline.contracts.CanonicalJson;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.worker.items.ChunkItems;
import dev.batchline.worker.items.Rows;
import dev.batchline.worker.model.ServedModel;

/**
 * The cache key of a row: the model's name, version and load time, and a SHA-256 of the
 * row as the model sees it. A tensor's or dense chunk's row is hashed as the values of
 * the input's element type (little-endian) with the row's shape, so a dense row and the
 * same row sent as a tensor share a key; a row read as a tree is hashed in a canonical
 * form (object members sorted by name, numbers by value: {@code 1}, {@code 1.0} and
 * {@code 1e0} are one number, as the model reads them). Two rows with one key are one
 * input of one loaded model, so a cached output is the one a predict call would give.
 */
public final class RowKeys {

	private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	});

	private RowKeys() {
	}

	/**
	 * The key of row {@code r}, a valid input of the model.
	 * @param model the loaded model version
	 * @param rows the rows
	 * @param r the row
	 * @return the key
	 */
	public static String of(ServedModel model, Rows rows, int r) {
		MessageDigest digest = SHA256.get();
		digest.reset();
		ChunkItems chunk = rows.itemsOf(r);
		if (chunk.rows()) {
			rowValues(digest, model, chunk, rows.local(r));
		}
		else {
			digest.update(("tree:" + CanonicalJson.of(rows.tree(r))).getBytes(StandardCharsets.UTF_8));
		}
		return model.name() + '\u0000' + model.version() + '\u0000' + model.loadedAt() + '\u0000'
				+ Base64.getEncoder().withoutPadding().encodeToString(digest.digest());
	}

	/** Hashes a tensor's or dense chunk's row as the values its input tensor gets. */
	private static void rowValues(MessageDigest digest, ServedModel model, ChunkItems chunk, int local) {
		String dtype = model.signature().inputs().get(0).dtype();
		ChunkTensors.ElementType type = ChunkTensors.ElementType.of(dtype);
		int[] shape = chunk.itemShape();
		int perItem = 1;
		for (int dim : shape) {
			perItem *= dim;
		}
		StringBuilder head = new StringBuilder("rows:").append(dtype);
		for (int dim : shape) {
			head.append(',').append(dim);
		}
		digest.update(head.append(':').toString().getBytes(StandardCharsets.UTF_8));
		int rowBytes = perItem * type.size();
		if (chunk.tensor() != null) {
			// the record's values are little-endian, of the input's type (readyFor)
			digest.update(chunk.tensor().values().slice(local * rowBytes, rowBytes));
			return;
		}
		ByteBuffer values = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
		double[] source = chunk.dense().values();
		int from = local * perItem;
		for (int i = 0; i < perItem; i++) {
			type.put(values, i * type.size(), source[from + i]);
		}
		digest.update(values.array());
	}

}
