package dev.batchline.launcher;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where a service jar runs from: its extracted layout ({@link #of}). */
final class ExtractedJar {

	private ExtractedJar() {
	}

	/**
	 * The jar's extracted layout: the application's jar with its libraries beside it in
	 * {@code lib/}, in {@code target/extracted-<the jar's time>/}, made at the first
	 * start after a build ({@code java -Djarmode=tools -jar <jar> extract}). Classes on
	 * the class path are loaded by the JDK's own loader, which the AOT cache serves, not
	 * through Spring Boot's nested-jar loader. A layout is never replaced in place (a
	 * service may run from it): one made for an older jar stays until {@code target} is
	 * cleaned. A jar that cannot be extracted runs as it is.
	 */
	static synchronized Path of(Path jar) throws IOException {
		Path dir = jar.resolveSibling("extracted-" + Files.getLastModifiedTime(jar).toMillis());
		Path runnable = dir.resolve(jar.getFileName());
		if (Files.isRegularFile(runnable)) {
			return runnable;
		}
		Path fresh = Files.createTempDirectory(jar.getParent(), "extracting-");
		try {
			Process extract = new ProcessBuilder(ServiceProcess.javaExecutable(), "-Djarmode=tools", "-jar",
					jar.toString(), "extract", "--destination", fresh.toString())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (extract.waitFor() != 0) {
				// not a Spring Boot jar
				return jar;
			}
			Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while extracting " + jar, ex);
		}
		catch (FileAlreadyExistsException | DirectoryNotEmptyException ex) {
			// another launcher made it meanwhile: that one is used
		}
		finally {
			Folders.deleteTree(fresh);
		}
		return Files.isRegularFile(runnable) ? runnable : jar;
	}

}
