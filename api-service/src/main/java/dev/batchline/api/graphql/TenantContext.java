package dev.batchline.api.graphql;

import dev.batchline.api.http.ApiKeyAuthentication;
import reactor.core.publisher.Mono;

import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;

/**
 * Hands the tenant and the caller (its key's scopes) that {@link ApiKeyAuthentication}
 * found for the HTTP request (or the SSE stream) to the resolvers, which read them with
 * {@code @ContextValue(ApiKeyAuthentication.TENANT)} and
 * {@code @ContextValue(ApiKeyAuthentication.CALLER)}: a resolver sees only its caller's
 * tenant, exactly as a REST controller does with {@code @RequestAttribute}.
 */
@Component
class TenantContext implements WebGraphQlInterceptor {

	@Override
	public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
		Object tenant = request.getAttributes().get(ApiKeyAuthentication.TENANT);
		Object caller = request.getAttributes().get(ApiKeyAuthentication.CALLER);
		if (tenant != null && caller != null) {
			request.configureExecutionInput(
					(input, builder) -> builder
						.graphQLContext((context) -> context.put(ApiKeyAuthentication.TENANT, tenant)
							.put(ApiKeyAuthentication.CALLER, caller))
						.build());
		}
		return chain.next(request);
	}

}
