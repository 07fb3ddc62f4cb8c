package dev.batchline.api.graphql;

import dev.batchline.api.http.ApiKeyAuthentication;
import reactor.core.publisher.Mono;

import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;

/**
 * Hands the tenant that {@link ApiKeyAuthentication} found for the HTTP request (or the
 * SSE stream) to the resolvers, which read it with
 * {@code @ContextValue(ApiKeyAuthentication.TENANT)}: a resolver sees only its caller's
 * tenant, exactly as a REST controller does with {@code @RequestAttribute}.
 */
@Component
class TenantContext implements WebGraphQlInterceptor {

	@Override
	public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
		Object tenant = request.getAttributes().get(ApiKeyAuthentication.TENANT);
		if (tenant != null) {
			request.configureExecutionInput((input, builder) -> builder
				.graphQLContext((context) -> context.put(ApiKeyAuthentication.TENANT, tenant))
				.build());
		}
		return chain.next(request);
	}

}
