package dev.batchline.api.job;

import java.util.Iterator;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The items of a submission, taken one at a time: from a parsed JSON body or from an
 * NDJSON stream being read.
 */
interface Items {

	/**
	 * The next item.
	 * @return the item, or null after the last
	 */
	JsonNode next();

	/**
	 * The line of the body the item last returned came from, for error messages.
	 * @return the line number from 1, or -1 when the body has no lines of items
	 */
	default long line() {
		return -1;
	}

	/** The items of a list. */
	static Items of(List<JsonNode> list) {
		Iterator<JsonNode> iterator = list.iterator();
		return () -> iterator.hasNext() ? iterator.next() : null;
	}

}
