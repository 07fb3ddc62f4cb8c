package dev.batchline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How {@code ./batchline scale} talks to a running {@code ./batchline up}: files in the
 * work folder. {@code up.pid} names the running launcher; {@code workers.requested} is
 * what scale asks for; {@code workers.applied} is what up reached.
 */
final class ControlFile {

	private final Path dir;

	private ControlFile(Path dir) {
		this.dir = dir;
	}

	static ControlFile of(Path work) {
		return new ControlFile(work.resolve("control"));
	}

	/**
	 * Marks this process as the running launcher of the work folder; refuses a second
	 * one.
	 */
	static ControlFile claim(Path work) throws IOException {
		ControlFile control = of(work);
		Files.createDirectories(control.dir);
		if (control.upIsRunning()) {
			throw new IllegalStateException("A launcher is already running with work folder " + work + " (pid "
					+ Files.readString(control.dir.resolve("up.pid")).strip() + ")");
		}
		Files.deleteIfExists(control.dir.resolve("workers.requested"));
		Files.deleteIfExists(control.dir.resolve("workers.applied"));
		Files.writeString(control.dir.resolve("up.pid"), Long.toString(ProcessHandle.current().pid()));
		return control;
	}

	boolean upIsRunning() throws IOException {
		Path pid = this.dir.resolve("up.pid");
		if (!Files.exists(pid)) {
			return false;
		}
		return ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
			.map(ProcessHandle::isAlive)
			.orElse(false);
	}

	void release() {
		try {
			Files.deleteIfExists(this.dir.resolve("up.pid"));
		}
		catch (IOException ignored) {
			// the next start checks whether the pid is alive anyway
		}
	}

	void requestWorkers(int count) throws IOException {
		Files.writeString(this.dir.resolve("workers.requested"), Integer.toString(count));
	}

	Integer requestedWorkers() throws IOException {
		return read("workers.requested");
	}

	void applied(int count) throws IOException {
		Files.writeString(this.dir.resolve("workers.applied"), Integer.toString(count));
	}

	Integer appliedWorkers() throws IOException {
		return read("workers.applied");
	}

	private Integer read(String name) throws IOException {
		Path file = this.dir.resolve(name);
		if (!Files.exists(file)) {
			return null;
		}
		String text = Files.readString(file).strip();
		return text.isEmpty() ? null : Integer.valueOf(text);
	}

}
