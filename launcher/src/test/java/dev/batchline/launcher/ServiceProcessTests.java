package dev.batchline.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Suspending and resuming a started process, seen in its {@code /proc} state. */
class ServiceProcessTests {

	@Test
	void suspendsAndResumesTheProcess(@TempDir Path dir) throws Exception {
		assumeThat(Files.exists(Path.of("/proc/self/stat"))).isTrue();
		Path jar = Files.writeString(dir.resolve("service.jar"), "");
		// the prefix runs in place of java: a shell that becomes a sleep
		ServiceProcess process = ServiceProcess.start(List.of("sh", "-c", "exec sleep 60", "sh"), jar, "sleeper", 0,
				Map.of(), dir);
		try {
			awaitState(process, "S");
			process.suspend();
			awaitState(process, "T");
			process.resume();
			awaitState(process, "S");
		}
		finally {
			process.kill();
		}
		assertThat(process.isAlive()).isFalse();
		assertThatIllegalStateException().isThrownBy(process::suspend).withMessageContaining("sleeper");
	}

	private static void awaitState(ServiceProcess process, String state) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
		String seen = "";
		while (Instant.now().isBefore(deadline)) {
			String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
			seen = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
			if (seen.equals(state)) {
				return;
			}
			Thread.sleep(20);
		}
		assertThat(seen).as("state of " + process.name()).isEqualTo(state);
	}

}
