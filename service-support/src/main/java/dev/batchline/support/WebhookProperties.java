package dev.batchline.support;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The webhook settings ({@code batchline.webhooks.*}, e.g.
 * {@code BATCHLINE_WEBHOOKS_RETRY_SCHEDULE=1s,2s,4s}), one record for both services that
 * read them: the api-service (URL checks, secret rotation) and the webhook dispatcher
 * (delivery). {@code allow-private-networks} means the same in both, so set it for both
 * or neither. A service enables it with
 * {@code @EnableConfigurationProperties(WebhookProperties.class)}.
 *
 * @param retrySchedule the pauses before each retry; the first attempt is immediate. The
 * default is Svix's published schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8
 * attempts in all)
 * @param jitter the share by which each pause varies at random (0.1 = ±10 %)
 * @param timeout connect and read timeout of one attempt
 * @param retryAfterCap the longest {@code Retry-After} honoured
 * @param maxConcurrency the most attempts in flight at once
 * @param perEndpointConcurrency the most attempts in flight to one destination
 * @param circuitFailureThreshold consecutive failures that open a destination's circuit
 * @param circuitOpenDuration how long an open circuit waits before one probe
 * @param pollInterval how often due deliveries are looked for when nothing woke the
 * sender
 * @param batchSize the most deliveries claimed at once
 * @param allowPrivateNetworks accept and send to webhook and callback URLs whose host is
 * loopback, private, link-local or otherwise non-public (local runs and tests only)
 * @param publicApiUrl the API's public base URL, for the links in payloads
 * @param userAgent the User-Agent header
 * @param secretRotationOverlap how long a rotated-out secret still signs deliveries next
 * to the new one, so receivers can switch without dropping any
 * @param disableAfter how long an endpoint may fail without one delivery succeeding
 * before the dispatcher disables it (Svix: 5 days)
 */
@Validated
@ConfigurationProperties("batchline.webhooks")
public record WebhookProperties(@DefaultValue( {
		"5s", "5m", "30m", "2h", "5h", "10h", "10h" }) @NotEmpty List<Duration> retrySchedule,
		@DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("0.5") double jitter,
		@DefaultValue("15s") @NotNull Duration timeout, @DefaultValue("1h") @NotNull Duration retryAfterCap,
		@DefaultValue("64") @Min(1) int maxConcurrency, @DefaultValue("4") @Min(1) int perEndpointConcurrency,
		@DefaultValue("5") @Min(1) int circuitFailureThreshold,
		@DefaultValue("30s") @NotNull Duration circuitOpenDuration,
		@DefaultValue("500ms") @NotNull Duration pollInterval, @DefaultValue("100") @Min(1) int batchSize,
		@DefaultValue("false") boolean allowPrivateNetworks,
		@DefaultValue("http://localhost:8080") @NotNull String publicApiUrl,
		@DefaultValue("Batchline-Webhooks/1.0 (+https://batchline.dev)") @NotNull String userAgent,
		@DefaultValue("24h") @NotNull Duration secretRotationOverlap,
		@DefaultValue("5d") @NotNull Duration disableAfter){

	public WebhookProperties {
		if (secretRotationOverlap != null && secretRotationOverlap.isNegative()) {
			throw new IllegalArgumentException("batchline.webhooks.secret-rotation-overlap must not be negative");
		}
	}

	/** How many attempts a delivery gets in all. */
	public int maxAttempts() {
		return this.retrySchedule.size() + 1;
	}

}
