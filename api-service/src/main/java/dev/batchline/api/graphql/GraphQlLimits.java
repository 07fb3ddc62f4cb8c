package dev.batchline.api.graphql;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What one GraphQL operation may ask for ({@code batchline.api.graphql.*}), checked
 * before anything runs: a client cannot make one request cost more than many REST calls.
 *
 * @param maxDepth the deepest selection (the standard introspection query is 13 deep)
 * @param maxComplexity the most fields an operation may select, a field under a
 * {@code first: n} list counting n times
 */
@Validated
@ConfigurationProperties("batchline.api.graphql")
public record GraphQlLimits(@DefaultValue("15") @Min(1) int maxDepth, @DefaultValue("5000") @Min(1) int maxComplexity) {

	/** The largest page a connection answers ({@code first}), as REST's {@code limit}. */
	static final int MAX_PAGE_SIZE = 100;

}
