package dev.batchline.support.tracing;

import java.util.Set;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * With tracing off ({@link TracingDefaults}), leaves out the auto-configurations that
 * would trace anyway: Micrometer's tracing observation handlers, the OpenTelemetry bridge
 * they run over, and Prometheus exemplars, which ask the tracer for the current span on
 * every timer and counter update. Each would cost every HTTP request, Kafka record and
 * database call a span that nothing reads. {@code NoopTracerAutoConfiguration} still
 * provides a {@code Tracer} for whatever asks for one.
 */
public class TracingOffImportFilter implements AutoConfigurationImportFilter, EnvironmentAware {

	static final Set<String> TRACING = Set.of(
			"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
			"org.springframework.boot.micrometer.tracing.autoconfigure.prometheus.PrometheusExemplarsAutoConfiguration",
			"org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration");

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
		boolean off = !TracingDefaults.enabled(this.environment);
		boolean[] match = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < match.length; i++) {
			// an entry an earlier filter has left out is null
			String name = autoConfigurationClasses[i];
			match[i] = !off || name == null || !TRACING.contains(name);
		}
		return match;
	}

}
