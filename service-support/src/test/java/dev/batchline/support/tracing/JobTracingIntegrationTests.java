package dev.batchline.support.tracing;

import java.time.Duration;
import java.util.UUID;

import dev.batchline.contracts.TraceContext;
import dev.batchline.testsupport.OtlpReceiver;
import dev.batchline.testsupport.OtlpReceiver.ReceivedSpan;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link JobTracing} in a Spring Boot application with the auto-configuration every
 * service has: off, and nothing made, exported or handled (no tracing observation
 * handler), unless an OTLP endpoint is set; on, a step continues the received trace and
 * its span reaches a real OTLP/HTTP receiver.
 */
class JobTracingIntegrationTests {

	private static final TraceContext RECEIVED = new TraceContext(
			"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=value");

	@Test
	void withoutAnEndpointNothingIsRecordedOrExportedAndAReceivedContextPassesOnAsItIs() {
		try (ConfigurableApplicationContext context = start()) {
			JobTracing tracing = context.getBean(JobTracing.class);
			assertThat(tracing.enabled()).isFalse();
			assertThat(context.getEnvironment().getProperty("management.opentelemetry.enabled")).isEqualTo("false");
			assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
			assertThat(context.getBeansOfType(TracingObservationHandler.class)).isEmpty();
			assertThat(context.getBean(Tracer.class)).isSameAs(Tracer.NOOP);
			assertThat(
					context.getBean(OpenTelemetry.class).getTracer("test").spanBuilder("s").startSpan().isRecording())
				.isFalse();
			assertThat(tracing.current()).isNull();
			try (JobTracing.Step step = tracing.start("predict", Span.Kind.CONSUMER, UUID.randomUUID(), RECEIVED)) {
				assertThat(step.context()).isEqualTo(RECEIVED);
			}
		}
	}

	@Test
	void anEndpointSetEmptyLeavesTracingOff() {
		try (ConfigurableApplicationContext context = start("--" + TracingDefaults.ENDPOINT + "=")) {
			assertThat(context.getBean(JobTracing.class).enabled()).isFalse();
			assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
		}
	}

	@Test
	void withAnEndpointAStepContinuesTheReceivedTraceAndItsSpanIsExportedOverOtlp() {
		try (OtlpReceiver receiver = OtlpReceiver.start();
				ConfigurableApplicationContext context = start(
						"--" + TracingDefaults.ENDPOINT + "=" + receiver.tracesEndpoint(),
						"--management.opentelemetry.tracing.export.schedule-delay=100ms")) {
			JobTracing tracing = context.getBean(JobTracing.class);
			assertThat(tracing.enabled()).isTrue();
			assertThat(context.getBeansOfType(TracingObservationHandler.class)).isNotEmpty();
			UUID jobId = UUID.randomUUID();
			TraceContext passedOn;
			try (JobTracing.Step step = tracing.start("predict", Span.Kind.CONSUMER, jobId, RECEIVED)) {
				passedOn = step.context();
				try (JobTracing.Scope scope = step.open()) {
					assertThat(MDC.get(JobTracing.JOB_ID)).isEqualTo(jobId.toString());
					assertThat(tracing.current()).isEqualTo(passedOn);
				}
				assertThat(MDC.get(JobTracing.JOB_ID)).isNull();
			}
			assertThat(passedOn.traceId()).isEqualTo(RECEIVED.traceId());
			assertThat(passedOn.traceparent()).isNotEqualTo(RECEIVED.traceparent()).endsWith("-01");
			assertThat(passedOn.tracestate()).isEqualTo("vendor=value");
			await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.spans().isEmpty());
			ReceivedSpan span = receiver.spans().get(0);
			assertThat(span.name()).isEqualTo("predict");
			assertThat(span.kind()).isEqualTo("SPAN_KIND_CONSUMER");
			assertThat(span.traceId()).isEqualTo(RECEIVED.traceId());
			assertThat(span.parentSpanId()).isEqualTo("00f067aa0ba902b7");
			assertThat(passedOn.traceparent()).contains(span.spanId());
			assertThat(span.attributes()).containsEntry("batchline.job.id", jobId.toString());
			assertThat(span.service()).isEqualTo("tracing-test");
			assertThat(receiver.contentTypes()).allMatch((type) -> type.equals("application/x-protobuf"));
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.properties("spring.application.name=tracing-test")
			.run(args);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ObservationAutoConfiguration.class, OpenTelemetrySdkAutoConfiguration.class,
			OpenTelemetryTracingAutoConfiguration.class, OtlpTracingAutoConfiguration.class,
			TracingOffAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
			NoopTracerAutoConfiguration.class, TracingAutoConfiguration.class })
	static class Application {

	}

}
