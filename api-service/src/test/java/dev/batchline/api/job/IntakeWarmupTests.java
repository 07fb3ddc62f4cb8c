package dev.batchline.api.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.batchline.api.intake.BodySpools;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.system.ApiProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The intake's warm-up runs the real intake code (spool, JSON and NDJSON readers, the
 * signature check, the chunker) over its synthetic jobs: every item passes the check and
 * lands in a chunk, and nothing stays behind.
 */
class IntakeWarmupTests {

	@TempDir
	Path spoolDir;

	@Test
	void chunksEveryItemOfWholeSyntheticJobs() throws IOException {
		IntakeWarmup warmup = warmup(1_000_000, 256, 4096);
		// JSON, JSON, NDJSON: three whole jobs cover 25,000 items
		assertThat(warmup.warmUp(25_000)).isEqualTo(3L * IntakeWarmup.JOB_ITEMS);
		try (Stream<Path> left = Files.list(this.spoolDir)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void aJobLargerThanTheSpoolsMemoryIsSpooledAndRemoved() throws IOException {
		// bodies of about 180 KB against 1 KB held in memory: each goes through a file
		IntakeWarmup warmup = warmup(1024, 500, 262_144);
		assertThat(warmup.warmUp(1)).isEqualTo(IntakeWarmup.JOB_ITEMS);
		try (Stream<Path> left = Files.list(this.spoolDir)) {
			assertThat(left).isEmpty();
		}
	}

	private IntakeWarmup warmup(int memoryBytes, int chunkMaxItems, int chunkMaxBytes) {
		UploadProperties upload = new UploadProperties(Duration.ofSeconds(10), 0, Duration.ofSeconds(10), memoryBytes,
				this.spoolDir, 1L << 30, 1 << 20, 65_536);
		ApiProperties properties = new ApiProperties(null, 1_000_000, 64L << 20, 16_384, chunkMaxItems, chunkMaxBytes,
				500, Duration.ofMillis(200), 1000, 1_000_000, 1L << 30, ApiProperties.ChunkEncoding.JSON, 16L << 20, 0);
		return new IntakeWarmup(new BodySpools(upload, new SimpleMeterRegistry()), properties, upload);
	}

}
