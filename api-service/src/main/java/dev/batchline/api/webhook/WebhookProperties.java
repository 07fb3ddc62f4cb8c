package dev.batchline.api.webhook;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The API service's webhook settings ({@code batchline.webhooks.*}, e.g.
 * {@code BATCHLINE_WEBHOOKS_SECRET_ROTATION_OVERLAP=2h}). The dispatcher reads the same
 * prefix for its delivery settings; {@code allow-private-networks} means the same in
 * both, so set it for both services or neither.
 *
 * @param allowPrivateNetworks accept webhook and callback URLs whose host is loopback,
 * private, link-local or otherwise non-public (local runs and tests only)
 * @param secretRotationOverlap how long a rotated-out secret still signs deliveries next
 * to the new one, so receivers can switch without dropping any
 */
@Validated
@ConfigurationProperties("batchline.webhooks")
public record WebhookProperties(@DefaultValue("false") boolean allowPrivateNetworks,
		@DefaultValue("24h") @NotNull Duration secretRotationOverlap) {

	public WebhookProperties {
		if (secretRotationOverlap != null && secretRotationOverlap.isNegative()) {
			throw new IllegalArgumentException("batchline.webhooks.secret-rotation-overlap must not be negative");
		}
	}

}
