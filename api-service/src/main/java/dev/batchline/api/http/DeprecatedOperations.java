package dev.batchline.api.http;

import io.swagger.v3.oas.models.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Signals the operations marked {@link DeprecatedOperation}: before the handler runs, so
 * that its answers carry the headers whether it succeeds or fails; and in the OpenAPI
 * document, so that generated clients warn too.
 */
@Configuration(proxyBeanMethods = false)
class DeprecatedOperations implements WebMvcConfigurer, HandlerInterceptor {

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(this);
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (handler instanceof HandlerMethod method && method.hasMethodAnnotation(DeprecatedOperation.class)) {
			method.getMethodAnnotation(DeprecatedOperation.class).value().signal(response);
		}
		return true;
	}

	@Bean
	static OperationCustomizer deprecatedOperationsInOpenApi() {
		return (operation, handler) -> {
			DeprecatedOperation deprecated = handler.getMethodAnnotation(DeprecatedOperation.class);
			return (deprecated != null) ? deprecated(operation, deprecated.value()) : operation;
		};
	}

	private static Operation deprecated(Operation operation, Deprecation deprecation) {
		return operation.deprecated(true)
			.description("Deprecated since " + deprecation.since() + ", sunset " + deprecation.sunset() + ": use "
					+ deprecation.replacement() + " (" + Deprecation.POLICY + "#deprecations).");
	}

}
