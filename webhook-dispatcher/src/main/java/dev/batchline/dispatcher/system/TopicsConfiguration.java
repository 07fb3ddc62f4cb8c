package dev.batchline.dispatcher.system;

import dev.batchline.contracts.Topics;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

	@Bean
	Topics topics(@Value("${batchline.topics.prefix:batchline}") String prefix) {
		return new Topics(prefix);
	}

}
