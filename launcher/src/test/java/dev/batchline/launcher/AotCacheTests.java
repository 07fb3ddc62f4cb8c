package dev.batchline.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache recorded and used by this JDK for real: a small jar run once recording, then
 * started on the cache, its class seen loaded from the shared file.
 */
class AotCacheTests {

	@Test
	void aRecordedCacheIsUsableAndTheNextStartLoadsTheJarsClassesFromIt(@TempDir Path dir) throws Exception {
		Path jar = helloJar(dir.resolve("target/hello-1.0.jar"));
		AotCache cache = AotCache.of(jar);
		assertThat(cache.file().getParent()).isEqualTo(dir.resolve("target/aot"));
		assertThat(cache.file().getFileName().toString()).startsWith("hello-1.0-jdk" + Runtime.version());
		assertThat(cache.usable()).as("no cache yet").isFalse();
		assertThat(cache.options(AotCache.Mode.USE)).as("a start without a cache asks for none").isEmpty();

		run(cache.options(AotCache.Mode.RECORD), jar);
		assertThat(cache.usable()).as("recorded: " + cache.file()).isTrue();

		assertThat(helloLoadedFrom(run(withClassLoadLog(cache.options(AotCache.Mode.USE)), jar)))
			.contains("source: shared objects file");
		assertThat(helloLoadedFrom(run(withClassLoadLog(cache.options(AotCache.Mode.NONE)), jar)))
			.contains("source: file:")
			.doesNotContain("shared objects file");
	}

	/** The class+load log line of the jar's main class. */
	private static String helloLoadedFrom(String output) {
		return output.lines()
			.filter((line) -> line.contains(" " + Hello.class.getName() + " source: "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no class+load line for Hello in:\n" + output));
	}

	@Test
	void aCacheOlderThanItsJarIsNotUsed(@TempDir Path dir) throws Exception {
		Path jar = helloJar(dir.resolve("target/hello-1.0.jar"));
		AotCache cache = AotCache.of(jar);
		Files.createDirectories(cache.file().getParent());
		Files.writeString(cache.file(), "recorded from an older jar");
		Files.setLastModifiedTime(cache.file(), FileTime.from(Instant.now().minusSeconds(60)));
		assertThat(cache.usable()).isFalse();
		assertThat(cache.options(AotCache.Mode.USE)).isEmpty();
	}

	private static List<String> withClassLoadLog(List<String> options) {
		List<String> all = new ArrayList<>(options);
		all.add("-Xlog:class+load=info");
		return all;
	}

	/** Runs the jar on this JVM's java with the options; its output. */
	private static String run(List<String> options, Path jar) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElseThrow());
		command.addAll(options);
		command.addAll(List.of("-jar", jar.toString()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
		return output;
	}

	/** A jar whose main class is {@link Hello}, as compiled for these tests. */
	private static Path helloJar(Path jar) throws IOException {
		Files.createDirectories(jar.getParent());
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Hello.class.getName());
		String entry = Hello.class.getName().replace('.', '/') + ".class";
		try (OutputStream file = Files.newOutputStream(jar);
				JarOutputStream out = new JarOutputStream(file, manifest);
				InputStream bytes = Hello.class.getClassLoader().getResourceAsStream(entry)) {
			out.putNextEntry(new JarEntry(entry));
			bytes.transferTo(out);
			out.closeEntry();
		}
		// the cache must be newer than the jar, at the file system's resolution
		Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(5)));
		return jar;
	}

	/** The jar's main class. */
	public static final class Hello {

		private Hello() {
		}

		public static void main(String[] args) {
			// loaded, run and done: what the cache records
		}

	}

}
