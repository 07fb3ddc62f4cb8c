package dev.batchline.api.intake;

import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;

/**
 * The items of a submission, taken one at a time: from a parsed JSON body or from an
 * NDJSON stream being read. An item read as text also offers its bytes as sent, so that
 * one that is valid as it stands can be stored as it came, without a tree.
 */
public interface Items {

	/**
	 * Moves to the next item.
	 * @return false after the last
	 */
	boolean advance();

	/** How many items there are, known before the first is read. */
	long size();

	/** The current item as a tree (parsed now if it came as text). */
	JsonNode tree();

	/**
	 * The bytes of the current item's text (UTF-8), from {@link #textOffset()} for
	 * {@link #textLength()} bytes, valid until {@link #advance()}; null when the item
	 * came parsed.
	 */
	default byte[] text() {
		return null;
	}

	default int textOffset() {
		return 0;
	}

	default int textLength() {
		return 0;
	}

	/**
	 * The caller's id of the current item ({@code custom_id}), or null when it has none.
	 */
	default String customId() {
		return null;
	}

	/**
	 * The line of the body the current item came from, for error messages.
	 * @return the line number from 1, or -1 when the body has no lines of items
	 */
	default long line() {
		return -1;
	}

	/** The items of a list. */
	static Items of(List<JsonNode> list) {
		Iterator<JsonNode> iterator = list.iterator();
		return reading(list.size(), () -> iterator.hasNext() ? iterator.next() : null);
	}

	/**
	 * Items taken one at a time from {@code next}, which answers null after the last.
	 * @param size how many there are
	 */
	static Items reading(long size, Supplier<JsonNode> next) {
		return new Items() {

			private JsonNode current;

			@Override
			public boolean advance() {
				this.current = next.get();
				return this.current != null;
			}

			@Override
			public JsonNode tree() {
				return this.current;
			}

			@Override
			public long size() {
				return size;
			}

		};
	}

}
