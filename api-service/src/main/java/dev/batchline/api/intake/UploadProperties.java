package dev.batchline.api.intake;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How request bodies are received ({@code batchline.api.upload.*}): a body is read to the
 * end, into memory and then a spool file, before anything else happens, so no database
 * connection waits for a slow client.
 *
 * @param idleTimeout no byte for this long and the upload is cut (408)
 * @param minBytesPerSecond after {@code grace}, an upload slower than this on average is
 * cut (408)
 * @param grace how long an upload may take before its pace is checked
 * @param memoryBytes the part of a body kept in memory; the rest goes to a spool file
 * @param spoolDir where spool files are written (deleted when the request ends)
 * @param spoolMaxBytes the most bytes all uploads in progress may spool together; past it
 * a new upload answers 503 with {@code Retry-After}
 * @param maxItemBytes the largest single item (an NDJSON line or one of
 * {@code instances}) (413)
 * @param maxSmallBodyBytes the largest body of the endpoints other than job submission
 * (webhook endpoints, tenants, limits) (413)
 */
@Validated
@ConfigurationProperties("batchline.api.upload")
public record UploadProperties(@DefaultValue("10s") @NotNull Duration idleTimeout,
		@DefaultValue("16384") @Min(0) long minBytesPerSecond, @DefaultValue("10s") @NotNull Duration grace,
		@DefaultValue("262144") @Min(0) int memoryBytes, Path spoolDir,
		@DefaultValue("8589934592") @Min(1024) long spoolMaxBytes, @DefaultValue("1048576") @Min(64) int maxItemBytes,
		@DefaultValue("65536") @Min(256) int maxSmallBodyBytes) {

	/**
	 * The spool directory: {@code spoolDir}, or {@code batchline-uploads} in the JVM's
	 * temp directory.
	 */
	public Path spoolDirectory() {
		return (this.spoolDir != null) ? this.spoolDir
				: Path.of(System.getProperty("java.io.tmpdir"), "batchline-uploads");
	}

}
