package dev.batchline.api.webhook;

import dev.batchline.contracts.webhooks.UrlPolicy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

	/**
	 * The same SSRF guard as the dispatcher's, so a URL we accept is one it will send to.
	 */
	@Bean
	UrlPolicy urlPolicy(WebhookProperties properties) {
		return new UrlPolicy(properties.allowPrivateNetworks());
	}

}
