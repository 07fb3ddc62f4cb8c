package dev.batchline.api.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.system.ApiException;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The files of the OpenAI-compatible API in PostgreSQL: an upload is stored as it is
 * read, in parts of a megabyte (never whole in memory), and read back the same way. Its
 * lines are counted on the way in (a batch's size is known before it is read). A batch's
 * output and error files hold no bytes: {@link BatchOutputs} writes them from the job's
 * results. Uploads past their {@code expires_at} are deleted by a loop of their own,
 * every minute.
 */
@Component
class BatchFiles implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(BatchFiles.class);

	static final String INPUT = "batch";

	static final String OUTPUT = "batch_output";

	static final String ERRORS = "batch_error";

	private final JdbcTemplate jdbc;

	private final OpenAiProperties properties;

	private final Clock clock;

	private final PollLoop purge;

	/**
	 * Reads a part on a connection of its own, beside a submission's copy in progress.
	 */
	private final TransactionTemplate ownConnection;

	BatchFiles(JdbcTemplate jdbc, OpenAiProperties properties, Clock clock, PlatformTransactionManager transactions) {
		this.jdbc = jdbc;
		this.ownConnection = new TransactionTemplate(transactions);
		this.ownConnection.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.ownConnection.setReadOnly(true);
		this.properties = properties;
		this.clock = clock;
		this.purge = PollLoop.named("file-purge", this::purgeExpired)
			.pollInterval(Duration.ofMinutes(1))
			.backoff(Duration.ofMinutes(1), Duration.ofMinutes(10))
			.build();
	}

	/**
	 * A stored file.
	 *
	 * @param jobId the job an output or error file is read from, null for an upload
	 * @param lines the non-blank lines of an upload
	 */
	record StoredFile(String id, UUID tenantId, String purpose, String filename, Long bytes, long lines, UUID jobId,
			Instant createdAt, Instant expiresAt) {

		boolean uploaded() {
			return INPUT.equals(this.purpose);
		}

	}

	/**
	 * Stores an upload as it is read.
	 * @throws ApiException 413 past {@code batchline.api.openai.max-file-bytes}
	 */
	@Transactional
	StoredFile upload(UUID tenantId, String filename, InputStream content) {
		Instant now = this.clock.instant();
		String id = newId("file-");
		Instant expires = now.plus(this.properties.fileRetention());
		this.jdbc.update("""
				insert into openai_files (id, tenant_id, purpose, filename, created_at, expires_at)
				values (?, ?, ?, ?, ?, ?)
				""", id, tenantId, INPUT, filename, Timestamp.from(now), Timestamp.from(expires));
		long max = this.properties.maxFileBytes().toBytes();
		long bytes = 0;
		long lines = 0;
		boolean inLine = false;
		byte[] part = new byte[OpenAiProperties.PART_BYTES];
		try {
			for (int number = 0;; number++) {
				int n = content.readNBytes(part, 0, part.length);
				if (n == 0) {
					break;
				}
				bytes += n;
				if (bytes > max) {
					throw ApiException.bodyTooLarge(max, "batchline.api.openai.max-file-bytes");
				}
				for (int i = 0; i < n; i++) {
					byte b = part[i];
					if (b == '\n') {
						lines += inLine ? 1 : 0;
						inLine = false;
					}
					else if (b != ' ' && b != '\t' && b != '\r') {
						inLine = true;
					}
				}
				this.jdbc.update("insert into openai_file_parts (file_id, part_no, data) values (?, ?, ?)", id, number,
						(n == part.length) ? part : java.util.Arrays.copyOf(part, n));
			}
		}
		catch (IOException ex) {
			throw ApiException.badRequest("The file could not be read to its end: " + ex.getMessage());
		}
		lines += inLine ? 1 : 0;
		this.jdbc.update("update openai_files set bytes = ?, lines = ? where id = ?", bytes, lines, id);
		log.info("File(id={}) of tenant {} stored: {} bytes, {} lines", id, tenantId, bytes, lines);
		return new StoredFile(id, tenantId, INPUT, filename, bytes, lines, null, now, expires);
	}

	/** Records a batch's output or error file, read from its job's results. */
	String createResultFile(UUID tenantId, UUID jobId, String purpose, String filename) {
		String id = newId("file-");
		this.jdbc.update("""
				insert into openai_files (id, tenant_id, purpose, filename, job_id, created_at)
				values (?, ?, ?, ?, ?, ?)
				""", id, tenantId, purpose, filename, jobId, Timestamp.from(this.clock.instant()));
		return id;
	}

	/** A tenant's file that has not expired, or 404. */
	StoredFile find(UUID tenantId, String id) {
		if (!isId(id, "file-")) {
			throw ApiException.notFound("File '" + id + "'");
		}
		List<StoredFile> found = this.jdbc.query("""
				select id, tenant_id, purpose, filename, bytes, lines, job_id, created_at, expires_at
				from openai_files where id = ? and tenant_id = ? and (expires_at is null or expires_at > ?)
				""",
				(rs, n) -> new StoredFile(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3),
						rs.getString(4), (Long) rs.getObject(5), rs.getLong(6), rs.getObject(7, UUID.class),
						rs.getTimestamp(8).toInstant(),
						Optional.ofNullable(rs.getTimestamp(9)).map(Timestamp::toInstant).orElse(null)),
				id, tenantId, Timestamp.from(this.clock.instant()));
		if (found.isEmpty()) {
			throw ApiException.notFound("File '" + id + "'");
		}
		return found.get(0);
	}

	/** Remembers the size of an output or error file, once counted. */
	void sized(String id, long bytes) {
		this.jdbc.update("update openai_files set bytes = ? where id = ? and bytes is null", bytes, id);
	}

	/** Writes an upload's bytes, one part in memory at a time. */
	void write(StoredFile file, OutputStream out) throws IOException {
		try (InputStream in = open(file)) {
			in.transferTo(out);
		}
	}

	/**
	 * An upload's bytes, read one part at a time, each in a transaction of its own (the
	 * caller's may be copying a job's chunks on its connection).
	 */
	InputStream open(StoredFile file) {
		return new InputStream() {

			private byte[] part = new byte[0];

			private int position;

			private int next;

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) {
				while (this.position == this.part.length) {
					List<byte[]> found = BatchFiles.this.ownConnection.execute((status) -> BatchFiles.this.jdbc.query(
							"select data from openai_file_parts where file_id = ? and part_no = ?",
							(rs, n) -> rs.getBytes(1), file.id(), this.next));
					if (found.isEmpty()) {
						return -1;
					}
					this.part = found.get(0);
					this.position = 0;
					this.next++;
				}
				int n = Math.min(length, this.part.length - this.position);
				System.arraycopy(this.part, this.position, buffer, offset, n);
				this.position += n;
				return n;
			}

		};
	}

	/**
	 * Deletes a tenant's file (a batch that read it keeps its id).
	 * @throws ApiException 404 for an unknown file
	 */
	@Transactional
	void delete(UUID tenantId, String id) {
		find(tenantId, id);
		this.jdbc.update("delete from openai_files where id = ?", id);
	}

	/**
	 * Deletes a hundred uploads past their {@code expires_at}.
	 * @return whether there may be more
	 */
	boolean purgeExpired() {
		int deleted = this.jdbc.update("""
				delete from openai_files where id in (
				  select id from openai_files where expires_at <= ? limit 100 for update skip locked)
				""", Timestamp.from(this.clock.instant()));
		if (deleted > 0) {
			log.info("Deleted {} files past their expiry", deleted);
		}
		return deleted == 100;
	}

	@Override
	public PollLoop pollLoop() {
		return this.purge;
	}

	/** Whether a text has the form of the ids {@link #newId} makes with a prefix. */
	static boolean isId(String id, String prefix) {
		return id != null && id.length() == prefix.length() + 32 && id.startsWith(prefix)
				&& id.substring(prefix.length())
					.chars()
					.allMatch((c) -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
	}

	static String newId(String prefix) {
		UUID id = UUID.randomUUID();
		return prefix + HexFormat.of().toHexDigits(id.getMostSignificantBits())
				+ HexFormat.of().toHexDigits(id.getLeastSignificantBits());
	}

}
