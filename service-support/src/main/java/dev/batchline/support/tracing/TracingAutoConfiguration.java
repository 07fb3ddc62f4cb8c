package dev.batchline.support.tracing;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@link JobTracing} of every service, over Spring Boot's Micrometer Tracing
 * (OpenTelemetry bridge); on when {@link TracingDefaults an OTLP endpoint} is configured.
 */
@AutoConfiguration(after = { OpenTelemetryTracingAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
		NoopTracerAutoConfiguration.class })
public class TracingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	JobTracing jobTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
			Environment environment) {
		Tracer found = tracer.getIfAvailable();
		Propagator propagation = propagator.getIfAvailable();
		if (!TracingDefaults.enabled(environment) || found == null || propagation == null) {
			return JobTracing.off();
		}
		return new JobTracing(found, propagation, true);
	}

}
