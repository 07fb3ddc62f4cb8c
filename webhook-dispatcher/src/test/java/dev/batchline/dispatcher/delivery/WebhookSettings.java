package dev.batchline.dispatcher.delivery;

import java.util.HashMap;
import java.util.Map;

import dev.batchline.support.WebhookProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@link WebhookProperties} for tests that build a client without the application: bound
 * from {@code batchline.webhooks.*} properties as the application binds them, so every
 * setting not given keeps its default.
 */
final class WebhookSettings {

	private WebhookSettings() {
	}

	/**
	 * The settings.
	 * @param properties names under {@code batchline.webhooks.} and their values, e.g.
	 * {@code "allow-private-networks", "true"}
	 * @return the bound settings
	 */
	static WebhookProperties of(String... properties) {
		Map<String, String> values = new HashMap<>();
		for (int i = 0; i < properties.length; i += 2) {
			values.put("batchline.webhooks." + properties[i], properties[i + 1]);
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("batchline.webhooks",
				WebhookProperties.class);
	}

}
