package dev.batchline.contracts;

import java.util.UUID;

/**
 * The record key of a chunk on {@link Topics#chunks()} and
 * {@link Topics#chunksDeadLetter()}: {@code <job id>/<chunk>}. Keying by chunk rather
 * than by job spreads one large job over every partition, and so over every worker.
 *
 * @param jobId the job
 * @param chunk the chunk's number within the job
 */
public record ChunkKey(UUID jobId, int chunk) {

	/**
	 * Reads a key written by {@link #toString()}.
	 * @param key the record key
	 * @return the chunk it names
	 * @throws IllegalArgumentException when the key is not {@code <job id>/<chunk>}
	 */
	public static ChunkKey parse(String key) {
		int slash = (key != null) ? key.lastIndexOf('/') : -1;
		if (slash < 0) {
			throw new IllegalArgumentException("Not a chunk key (<job id>/<chunk>): " + key);
		}
		try {
			return new ChunkKey(UUID.fromString(key.substring(0, slash)), Integer.parseInt(key.substring(slash + 1)));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Not a chunk key (<job id>/<chunk>): " + key, ex);
		}
	}

	/** The key as it is written on the topic. */
	@Override
	public String toString() {
		return this.jobId + "/" + this.chunk;
	}

}
