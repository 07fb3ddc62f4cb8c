package dev.batchline.launcher;

import java.net.ServerSocket;
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
		ServiceProcess process = sleeper(dir);
		try {
			awaitState(process, "S");
			process.suspend();
			awaitState(process, "T");
			process.resume();
			awaitState(process, "S");
			// resuming one that runs does nothing
			process.resume();
			awaitState(process, "S");
		}
		finally {
			process.kill();
		}
		assertThat(process.isAlive()).isFalse();
		assertThatIllegalStateException().isThrownBy(process::suspend).withMessageContaining("sleeper has ended");
	}

	@Test
	void stopsASuspendedProcess(@TempDir Path dir) throws Exception {
		ServiceProcess process = sleeper(dir);
		awaitState(process, "S");
		process.suspend();
		awaitState(process, "T");
		Instant start = Instant.now();
		// SIGTERM, then SIGCONT: it ends at once instead of after the grace period
		process.close();
		assertThat(process.isAlive()).isFalse();
		assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void choosesFreePortsBelowTheEphemeralRange() throws Exception {
		int ephemeralLow = ServiceProcess.ephemeralLow();
		assumeThat(ephemeralLow).isGreaterThan(10_001);
		for (int i = 0; i < 20; i++) {
			int port = ServiceProcess.freePort();
			assertThat(port).isBetween(10_000, ephemeralLow - 1);
			// free: a server can listen on it
			try (ServerSocket socket = new ServerSocket(port)) {
				assertThat(socket.getLocalPort()).isEqualTo(port);
			}
		}
	}

	/** A started process that sleeps: the prefix runs in place of java. */
	private static ServiceProcess sleeper(Path dir) throws Exception {
		assumeThat(Files.exists(Path.of("/proc/self/stat"))).isTrue();
		Path jar = Files.writeString(dir.resolve("service.jar"), "");
		return ServiceProcess.start(List.of("sh", "-c", "exec sleep 60", "sh"), jar, "sleeper", 0, Map.of(), dir);
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
