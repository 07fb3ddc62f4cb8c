package dev.batchline.api.graphql;

import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

/**
 * The GraphQL door's wiring: the {@code JSON} scalar and graphql-java's own limits on
 * depth and complexity, which refuse a query before any resolver runs.
 */
@Configuration(proxyBeanMethods = false)
class GraphQlConfiguration {

	@Bean
	RuntimeWiringConfigurer jsonScalar() {
		return (wiring) -> wiring.scalar(JsonScalar.TYPE);
	}

	@Bean
	MaxQueryDepthInstrumentation maxQueryDepth(GraphQlLimits limits) {
		return new MaxQueryDepthInstrumentation(limits.maxDepth());
	}

	@Bean
	MaxQueryComplexityInstrumentation maxQueryComplexity(GraphQlLimits limits) {
		return new MaxQueryComplexityInstrumentation(limits.maxComplexity(), pageWeighted());
	}

	/**
	 * A field costs 1, and what is selected under it costs as many times as the page it
	 * asks for ({@code first}, counted within 1..100 so an out-of-range page is refused
	 * by its resolver, with a clearer message).
	 */
	static FieldComplexityCalculator pageWeighted() {
		return (environment, children) -> {
			Object first = environment.getArguments().get("first");
			int times = (first instanceof Integer n) ? Math.clamp(n, 1, GraphQlLimits.MAX_PAGE_SIZE) : 1;
			return 1 + children * times;
		};
	}

}
