package dev.batchline.api.webhook;

import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.support.WebhookProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The webhook settings ({@code batchline.webhooks.*}, shared with the dispatcher) and the
 * SSRF guard.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class WebhookConfiguration {

	/**
	 * The same SSRF guard as the dispatcher's, so a URL we accept is one it will send to.
	 */
	@Bean
	UrlPolicy urlPolicy(WebhookProperties properties) {
		return new UrlPolicy(properties.allowPrivateNetworks());
	}

}
