package dev.batchline.api.openai;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The OpenAI-compatible API's files ({@code batchline.api.openai.*}).
 *
 * @param maxFileBytes the largest file an upload may hold (OpenAI's own limit for batch
 * input files is 200 MB); the container refuses a larger multipart file part with 413
 * ({@code spring.servlet.multipart.max-file-size} follows this setting)
 * @param fileRetention how long an uploaded file is kept ({@code expires_at}); a batch's
 * output and error files last as long as its job's results
 */
@Validated
@ConfigurationProperties("batchline.api.openai")
public record OpenAiProperties(@DefaultValue("200MB") @NotNull DataSize maxFileBytes,
		@DefaultValue("30d") @NotNull Duration fileRetention) {

	/** The bytes a stored part of a file holds. */
	static final int PART_BYTES = 1024 * 1024;

}
