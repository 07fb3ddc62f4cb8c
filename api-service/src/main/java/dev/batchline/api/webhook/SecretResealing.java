package dev.batchline.api.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.batchline.contracts.webhooks.SecretBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seals, as the api-service starts, every stored secret not sealed with the current key:
 * secrets stored in clear before sealing existed, and secrets sealed with a previous key
 * after a key rotation. Rows are taken in batches, locked and skipped when another
 * replica holds them, so replicas starting together share the work. Once it has run, the
 * previous keys can be dropped.
 */
@Component
class SecretResealing implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(SecretResealing.class);

	private static final int BATCH = 500;

	/** The tables that hold secrets, and their secret columns. */
	private static final List<Holder> HOLDERS = List
		.of(new Holder("tenants", List.of("webhook_secret", "previous_webhook_secret")), new Holder("webhook_endpoints",
				List.of("secret", "previous_secret", "signing_key", "previous_signing_key")));

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final SecretBox box;

	SecretResealing(JdbcTemplate jdbc, TransactionTemplate transactions, SecretBox box) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.box = box;
	}

	@Override
	public void run(ApplicationArguments args) {
		int total = resealAll();
		if (total > 0) {
			log.info("Sealed the secrets of {} rows with key {}", total, this.box.currentKeyId());
		}
	}

	/** Seals every row not sealed with the current key; the number of rows sealed. */
	int resealAll() {
		int total = 0;
		for (Holder holder : HOLDERS) {
			Integer sealed;
			do {
				sealed = this.transactions.execute((status) -> resealBatch(holder));
				total += (sealed != null) ? sealed : 0;
			}
			while (sealed != null && sealed == BATCH);
		}
		return total;
	}

	private int resealBatch(Holder holder) {
		String current = SecretBox.PREFIX + this.box.currentKeyId() + ":%";
		String stale = holder.columns()
			.stream()
			.map((column) -> "(" + column + " is not null and " + column + " not like ?)")
			.collect(Collectors.joining(" or "));
		Object[] patterns = holder.columns().stream().map((column) -> current).toArray();
		List<Object[]> rows = this.jdbc.query("select id, " + String.join(", ", holder.columns()) + " from "
				+ holder.table() + " where " + stale + " limit " + BATCH + " for update skip locked", (rs, n) -> {
					Object[] values = new Object[holder.columns().size() + 1];
					for (int i = 0; i < holder.columns().size(); i++) {
						values[i] = this.box.seal(this.box.open(rs.getString(holder.columns().get(i))));
					}
					values[holder.columns().size()] = rs.getObject("id");
					return values;
				}, patterns);
		if (!rows.isEmpty()) {
			this.jdbc.batchUpdate("update " + holder.table() + " set "
					+ holder.columns().stream().map((column) -> column + " = ?").collect(Collectors.joining(", "))
					+ " where id = ?", new ArrayList<>(rows));
		}
		return rows.size();
	}

	private record Holder(String table, List<String> columns) {
	}

}
