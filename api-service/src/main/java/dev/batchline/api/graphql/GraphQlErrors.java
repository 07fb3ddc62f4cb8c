package dev.batchline.api.graphql;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.batchline.api.http.ProblemHandling;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;

import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.SubscriptionExceptionResolverAdapter;
import org.springframework.stereotype.Component;

/**
 * The cores' {@link ApiException}s as GraphQL errors: the problem's detail as the
 * message, and in {@code extensions} the same kind a REST client sees ({@code code}: its
 * slug, {@code type}: its URI, {@code status}), the problem's other members in
 * {@code details} (such as an invalid item's {@code item_index} and its own
 * {@code code}), and {@code retryAfter} in seconds when the core said when to try again.
 * The classification is Spring's for 400, 401, 403 and 404 (410 counts as 404); a 409 is
 * a {@code BAD_REQUEST} too (as every other 4xx), and a 429 or 503 is classified
 * {@code TOO_MANY_REQUESTS} or {@code UNAVAILABLE} so a client knows to retry (PostgreSQL
 * away is {@code UNAVAILABLE}, as REST's 503). Any other exception is left to Spring's
 * handling: logged, and answered as an internal error without details.
 */
@Component
class GraphQlErrors extends DataFetcherExceptionResolverAdapter {

	/** The same mapping for errors of a subscription's stream. */
	@Component
	static class OfSubscriptions extends SubscriptionExceptionResolverAdapter {

		@Override
		protected GraphQLError resolveToSingleError(Throwable ex) {
			ApiException api = known(ex);
			return (api != null) ? error(api, GraphqlErrorBuilder.newError()) : null;
		}

	}

	@Override
	protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment environment) {
		ApiException api = known(ex);
		return (api != null) ? error(api, GraphqlErrorBuilder.newError(environment)) : null;
	}

	/** The problem of a failure, when it is one a client may be told of. */
	static ApiException known(Throwable ex) {
		if (ex instanceof ApiException api) {
			return api;
		}
		return ProblemHandling.isDatabaseUnavailable(ex) ? ProblemHandling.unavailable() : null;
	}

	static GraphQLError error(ApiException ex, GraphqlErrorBuilder<?> builder) {
		ProblemKind kind = ex.kind();
		Map<String, Object> extensions = new LinkedHashMap<>();
		extensions.put("code", kind.slug());
		extensions.put("type", kind.type().toString());
		extensions.put("status", kind.status());
		if (!ex.properties().isEmpty()) {
			extensions.put("details", ex.properties());
		}
		String retryAfter = ex.headers().get("Retry-After");
		if (retryAfter != null) {
			extensions.put("retryAfter",
					retryAfter.chars().allMatch(Character::isDigit) ? Long.valueOf(retryAfter) : retryAfter);
		}
		return builder.message(ex.getMessage()).errorType(classification(kind)).extensions(extensions).build();
	}

	static ErrorClassification classification(ProblemKind kind) {
		return switch (kind.status()) {
			case 401 -> ErrorType.UNAUTHORIZED;
			case 403 -> ErrorType.FORBIDDEN;
			case 404, 410 -> ErrorType.NOT_FOUND;
			case 429 -> ErrorClassification.errorClassification("TOO_MANY_REQUESTS");
			case 503, 504 -> ErrorClassification.errorClassification("UNAVAILABLE");
			default -> (kind.status() < 500) ? ErrorType.BAD_REQUEST : ErrorType.INTERNAL_ERROR;
		};
	}

}
