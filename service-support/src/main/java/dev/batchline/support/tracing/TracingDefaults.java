package dev.batchline.support.tracing;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Traces are off unless an OTLP endpoint is configured: {@value #ENDPOINT}, or
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} / {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, which
 * Spring Boot maps to it. Without one, the OpenTelemetry SDK is not started
 * ({@code management.opentelemetry.enabled=false}: every span is a no-op) and nothing is
 * propagated or correlated in logs ({@code management.tracing.export.enabled=false}).
 * With one, every trace is sampled ({@code management.tracing.sampling.probability=1.0}).
 * The values are answered at the lowest precedence and looked up when asked, so any
 * explicit setting wins, whatever the order in which the environment was prepared.
 */
public class TracingDefaults implements EnvironmentPostProcessor {

	/** The property that turns tracing on. */
	public static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

	private static final String OPENTELEMETRY_ENABLED = "management.opentelemetry.enabled";

	private static final String EXPORT_ENABLED = "management.tracing.export.enabled";

	private static final String OTLP_EXPORT_ENABLED = "management.tracing.export.otlp.enabled";

	private static final String PROBABILITY = "management.tracing.sampling.probability";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new Defaults(environment));
	}

	/** Whether traces are exported: an endpoint is configured. */
	public static boolean enabled(Environment environment) {
		return StringUtils.hasText(environment.getProperty(ENDPOINT));
	}

	private static final class Defaults extends EnumerablePropertySource<Object> {

		private final Environment environment;

		Defaults(Environment environment) {
			super("batchlineTracingDefaults", new Object());
			this.environment = environment;
		}

		@Override
		public String[] getPropertyNames() {
			return new String[] { OPENTELEMETRY_ENABLED, EXPORT_ENABLED, OTLP_EXPORT_ENABLED, PROBABILITY };
		}

		@Override
		public Object getProperty(String name) {
			return switch (name) {
				case OPENTELEMETRY_ENABLED, EXPORT_ENABLED, OTLP_EXPORT_ENABLED ->
					Boolean.toString(enabled(this.environment));
				case PROBABILITY -> "1.0";
				default -> null;
			};
		}

	}

}
