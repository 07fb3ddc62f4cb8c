package dev.batchline.api.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The retention's meters, named once. */
final class RetentionMeters {

	private RetentionMeters() {
	}

	/** Rows of {@code table} deleted because their job ended or its retention did. */
	static Counter rowsDeleted(MeterRegistry meters, String table) {
		return Counter.builder("batchline.retention.rows.deleted")
			.description("Rows deleted because their job ended (input chunks) or its retention did")
			.tag("table", table)
			.register(meters);
	}

}
