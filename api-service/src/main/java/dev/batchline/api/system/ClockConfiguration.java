package dev.batchline.api.system;

import java.time.Clock;
import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ClockConfiguration {

	/**
	 * Ticks in whole microseconds, PostgreSQL's precision: a time the service answers
	 * with before it is stored (a submission's {@code created_at}) is then the time it
	 * reads back later. With the system clock's nanoseconds PostgreSQL rounds (.3916845
	 * to .391685) where a truncation would not.
	 */
	@Bean
	Clock clock() {
		return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
	}

}
