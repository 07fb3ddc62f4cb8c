package dev.batchline.api.openai;

/**
 * A file as OpenAI's API describes it.
 *
 * @param id the file's id, {@code file-…}
 * @param object always {@code file}
 * @param bytes its size
 * @param createdAt when it was uploaded or made (Unix seconds)
 * @param expiresAt when it is deleted (Unix seconds), or null
 * @param filename its name
 * @param purpose {@code batch}, {@code batch_output} or {@code batch_error}
 * @param status always {@code processed} (a field OpenAI keeps for old clients)
 */
record FileObject(String id, String object, long bytes, long createdAt, Long expiresAt, String filename, String purpose,
		String status) {

	FileObject(String id, long bytes, long createdAt, Long expiresAt, String filename, String purpose) {
		this(id, "file", bytes, createdAt, expiresAt, filename, purpose, "processed");
	}

}
