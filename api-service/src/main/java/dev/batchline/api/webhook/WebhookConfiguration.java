package dev.batchline.api.webhook;

import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.support.SecretsConfiguration;
import dev.batchline.support.WebhookProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The webhook settings ({@code batchline.webhooks.*}, shared with the dispatcher), the
 * SSRF guard, and the key that seals the signing secrets ({@code batchline.secrets.*}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
@Import(SecretsConfiguration.class)
class WebhookConfiguration {

	/**
	 * The same SSRF guard as the dispatcher's, so a URL we accept is one it will send to.
	 */
	@Bean
	UrlPolicy urlPolicy(WebhookProperties properties) {
		return new UrlPolicy(properties.allowPrivateNetworks());
	}

}
