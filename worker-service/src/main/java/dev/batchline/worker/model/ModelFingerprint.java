package dev.batchline.worker.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A SHA-256 over a SavedModel's files ({@code saved_model.pb} and everything under
 * {@code variables/}), so that two different models published under the same name and
 * version can be told apart (a result cache keys on it). Each file adds its path relative
 * to the version folder (with {@code /}), its length and its bytes, in path order: the
 * same files give the same fingerprint wherever the folder lies.
 */
final class ModelFingerprint {

	/** The prefix of a fingerprint: the algorithm. */
	static final String PREFIX = "sha256:";

	private ModelFingerprint() {
	}

	/**
	 * The fingerprint of the SavedModel in {@code dir}.
	 * @param dir the version folder
	 * @return {@code sha256:<64 hex digits>}
	 * @throws IOException when a file cannot be read
	 */
	static String of(Path dir) throws IOException {
		List<Path> files = new ArrayList<>();
		files.add(dir.resolve(SavedModelSignature.SAVED_MODEL));
		Path variables = dir.resolve("variables");
		if (Files.isDirectory(variables)) {
			try (Stream<Path> walk = Files.walk(variables)) {
				walk.filter(Files::isRegularFile).forEach(files::add);
			}
		}
		files.sort((a, b) -> relative(dir, a).compareTo(relative(dir, b)));
		MessageDigest digest = sha256();
		byte[] buffer = new byte[64 * 1024];
		for (Path file : files) {
			digest.update(relative(dir, file).getBytes(StandardCharsets.UTF_8));
			digest.update((byte) 0);
			digest.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(file)).flip());
			try (InputStream in = Files.newInputStream(file)) {
				for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
					digest.update(buffer, 0, read);
				}
			}
		}
		return PREFIX + HexFormat.of().formatHex(digest.digest());
	}

	private static String relative(Path dir, Path file) {
		return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new UncheckedIOException(new IOException("SHA-256 is missing from this JVM", ex));
		}
	}

}
