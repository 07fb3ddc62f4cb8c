package dev.batchline.api.recording;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the results recorder treats a result it cannot record
 * ({@code batchline.api.recorder.*}, e.g.
 * {@code BATCHLINE_API_RECORDER_POISON_ATTEMPTS}).
 *
 * @param poisonAttempts how often a result that cannot be recorded (its data refused by
 * PostgreSQL, an unknown job or chunk) is tried on its own before it goes to the results'
 * dead letter topic and its chunk's items fail
 * @param poisonBackoff the pause before the second attempt, doubled for each one after
 */
@Validated
@ConfigurationProperties("batchline.api.recorder")
public record RecorderProperties(@DefaultValue("3") @Min(1) @Max(10) int poisonAttempts,
		@DefaultValue("200ms") @NotNull Duration poisonBackoff) {

}
