package dev.batchline.support;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class WebhookPropertiesTests {

	@Test
	void everySettingHasItsDocumentedDefault() {
		WebhookProperties properties = bind(Map.of());
		assertThat(properties.retrySchedule()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5),
				Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
				Duration.ofHours(10));
		assertThat(properties.maxAttempts()).isEqualTo(8);
		assertThat(properties.timeout()).isEqualTo(Duration.ofSeconds(15));
		assertThat(properties.allowPrivateNetworks()).isFalse();
		assertThat(properties.secretRotationOverlap()).isEqualTo(Duration.ofHours(24));
	}

	@Test
	void bindsTheSettingsOfBothServicesUnderOnePrefix() {
		WebhookProperties properties = bind(
				Map.of("batchline.webhooks.retry-schedule", "1s,2s,4s", "batchline.webhooks.allow-private-networks",
						"true", "batchline.webhooks.secret-rotation-overlap", "2h"));
		assertThat(properties.retrySchedule()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
				Duration.ofSeconds(4));
		assertThat(properties.allowPrivateNetworks()).isTrue();
		assertThat(properties.secretRotationOverlap()).isEqualTo(Duration.ofHours(2));
	}

	@Test
	void refusesANegativeRotationOverlap() {
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("batchline.webhooks.secret-rotation-overlap", "-1h")))
			.havingRootCause()
			.withMessageContaining("secret-rotation-overlap");
	}

	private static WebhookProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("batchline.webhooks",
				WebhookProperties.class);
	}

}
