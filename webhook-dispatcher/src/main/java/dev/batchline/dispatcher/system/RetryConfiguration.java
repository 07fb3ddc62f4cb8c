package dev.batchline.dispatcher.system;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.annotation.EnableRetry;

@Configuration(proxyBeanMethods = false)
@EnableRetry
@EnableConfigurationProperties(WebhookProperties.class)
class RetryConfiguration {

}
