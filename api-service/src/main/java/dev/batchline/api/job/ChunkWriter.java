package dev.batchline.api.job;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.batchline.api.job.ChunkBuilder.Chunk;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes a job's input chunks with PostgreSQL's {@code COPY … FROM STDIN (FORMAT
 * binary)} on the connection of the caller's transaction, one row per chunk as it is
 * built: no statement per row, no hex-escaping of the instances, and nothing held but a
 * small buffer. The rows are part of the transaction, so a submission that fails half-way
 * leaves none.
 */
@Component
class ChunkWriter {

	private static final String COPY = "COPY input_chunks (job_id, chunk_no, first_index, item_count, instances, custom_ids)"
			+ " FROM STDIN (FORMAT binary)";

	private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);

	private static final int BUFFER_BYTES = 256 * 1024;

	private static final short FIELDS = 6;

	private final DataSource dataSource;

	private final SQLExceptionTranslator translator;

	ChunkWriter(DataSource dataSource) {
		this.dataSource = dataSource;
		this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
	}

	/**
	 * Starts copying the chunks of a job whose row the transaction has written already.
	 * Close the copy in any case: a copy closed before {@link Copy#finish()} is cancelled
	 * so that the transaction can roll back.
	 * @param jobId the job
	 * @return the copy, accepting chunks in order
	 */
	Copy open(UUID jobId) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("Chunks are copied inside the submission's transaction");
		}
		Connection connection = DataSourceUtils.getConnection(this.dataSource);
		try {
			PGCopyOutputStream out = new PGCopyOutputStream(connection.unwrap(PGConnection.class), COPY, BUFFER_BYTES);
			Copy copy = new Copy(jobId, connection, out);
			copy.header();
			return copy;
		}
		catch (SQLException ex) {
			DataSourceUtils.releaseConnection(connection, this.dataSource);
			throw translate(ex);
		}
	}

	private DataAccessException translate(Exception ex) {
		if (ex instanceof SQLException sql) {
			DataAccessException translated = this.translator.translate("COPY input_chunks", COPY, sql);
			if (translated != null) {
				return translated;
			}
		}
		if (ex.getCause() instanceof SQLException sql && ex.getCause() != ex) {
			return translate(sql);
		}
		return new DataAccessResourceFailureException("COPY input_chunks failed: " + ex.getMessage(), ex);
	}

	/** One job's copy in progress. */
	final class Copy implements Consumer<Chunk>, AutoCloseable {

		private final UUID jobId;

		private final Connection connection;

		private final PGCopyOutputStream stream;

		private final DataOutputStream out;

		private boolean closed;

		private Copy(UUID jobId, Connection connection, PGCopyOutputStream stream) {
			this.jobId = jobId;
			this.connection = connection;
			this.stream = stream;
			this.out = new DataOutputStream(stream);
		}

		private void header() {
			try {
				this.out.write(SIGNATURE);
				this.out.writeInt(0); // flags
				this.out.writeInt(0); // header extension length
			}
			catch (IOException ex) {
				throw translate(ex);
			}
		}

		/** Writes one chunk row. */
		@Override
		public void accept(Chunk chunk) {
			try {
				this.out.writeShort(FIELDS);
				this.out.writeInt(16);
				this.out.writeLong(this.jobId.getMostSignificantBits());
				this.out.writeLong(this.jobId.getLeastSignificantBits());
				this.out.writeInt(4);
				this.out.writeInt(chunk.number());
				this.out.writeInt(8);
				this.out.writeLong(chunk.firstIndex());
				this.out.writeInt(4);
				this.out.writeInt(chunk.count());
				this.out.writeInt(chunk.instances().length);
				this.out.write(chunk.instances());
				if (chunk.customIds() == null) {
					this.out.writeInt(-1); // null
				}
				else {
					this.out.writeInt(chunk.customIds().length);
					this.out.write(chunk.customIds());
				}
			}
			catch (IOException ex) {
				throw translate(ex);
			}
		}

		/**
		 * Ends the copy.
		 * @return the number of rows written
		 */
		long finish() {
			try {
				this.out.writeShort(-1);
				this.out.flush();
				return this.stream.endCopy();
			}
			catch (SQLException | IOException ex) {
				throw translate(ex);
			}
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				if (this.stream.isActive()) {
					this.stream.cancelCopy();
				}
			}
			catch (SQLException ex) {
				// the transaction rolls back anyway; the failure that brought us here
				// wins
			}
			finally {
				DataSourceUtils.releaseConnection(this.connection, ChunkWriter.this.dataSource);
			}
		}

	}

}
