package dev.batchline.dispatcher.system;

import dev.batchline.support.SecretsConfiguration;
import dev.batchline.support.WebhookProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.retry.annotation.EnableRetry;

/**
 * The dispatcher's settings ({@code batchline.webhooks.*}), the key that opens the stored
 * signing secrets ({@code batchline.secrets.*}), and spring-retry for the in-process
 * retry of a send whose connection failed before any answer (see {@code WebhookClient}).
 */
@Configuration(proxyBeanMethods = false)
@EnableRetry
@EnableConfigurationProperties(WebhookProperties.class)
@Import(SecretsConfiguration.class)
class DispatcherConfiguration {

}
