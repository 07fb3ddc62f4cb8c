package dev.batchline.support.tracing;

import io.opentelemetry.api.OpenTelemetry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * With tracing off ({@link TracingDefaults}), OpenTelemetry's no-op implementation: spans
 * are not even recorded in memory. (Spring Boot's "disabled" SDK still records every span
 * with a default tracer provider, then drops it.)
 */
@AutoConfiguration(before = OpenTelemetrySdkAutoConfiguration.class)
@ConditionalOnClass(OpenTelemetry.class)
@Conditional(TracingOffAutoConfiguration.TracingOff.class)
public class TracingOffAutoConfiguration {

	@Bean
	OpenTelemetry noopOpenTelemetry() {
		return OpenTelemetry.noop();
	}

	static class TracingOff implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return !TracingDefaults.enabled(context.getEnvironment());
		}

	}

}
