package dev.batchline.api.grpc;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.batchline.api.http.FailedAuthentications;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.quota.RateLimitStatus;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.tenant.BearerTokens;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.tenant.Scope;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.grpc.ApiKeyCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

/**
 * Authenticates every gRPC call as {@code ApiKeyAuthentication} does every HTTP request:
 * the metadata {@code authorization: Bearer <api key>} names the tenant, which the call
 * runs with in {@link #TENANT}, and the call is taken from the tenant's requests per
 * second ({@code ratelimit-policy} and {@code ratelimit} in the response headers). A
 * client address with too many failed keys is refused before its key is looked at. The
 * health and reflection services and the Open Inference Protocol's {@code ServerLive} and
 * {@code ServerReady} are public, as {@code /v2/health} is over REST: probes call them
 * without a key.
 */
@Component
@GlobalServerInterceptor
public class GrpcAuthentication implements ServerInterceptor {

	/** The authenticated tenant of the current call. */
	public static final Context.Key<UUID> TENANT = Context.key("batchline.tenant");

	private static final Set<String> PUBLIC_SERVICES = Set.of("grpc.health.v1.Health",
			"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

	private static final Set<String> PUBLIC_METHODS = Set.of("inference.GRPCInferenceService/ServerLive",
			"inference.GRPCInferenceService/ServerReady");

	/** The methods that need {@code jobs:write}; every other needs {@code jobs:read}. */
	private static final Set<String> WRITES = Set.of("inference.GRPCInferenceService/ModelInfer",
			"batchline.jobs.v1.Jobs/SubmitJob", "batchline.jobs.v1.Jobs/CancelJob");

	private static final String BEARER = "Bearer ";

	private final BearerTokens keys;

	private final FailedAuthentications failures;

	private final Quotas quotas;

	GrpcAuthentication(BearerTokens keys, FailedAuthentications failures, Quotas quotas) {
		this.keys = keys;
		this.failures = failures;
		this.quotas = quotas;
	}

	/**
	 * The tenant of the current call (set by this interceptor before any service runs).
	 */
	public static UUID tenant() {
		UUID tenant = TENANT.get();
		if (tenant == null) {
			throw new ApiException(ProblemKind.UNAUTHORIZED, "send the metadata 'authorization: Bearer <api key>'");
		}
		return tenant;
	}

	@Override
	public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
			ServerCallHandler<Q, A> next) {
		if (PUBLIC_SERVICES.contains(call.getMethodDescriptor().getServiceName())
				|| PUBLIC_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
			return next.startCall(call, headers);
		}
		String token = bearerToken(headers.get(ApiKeyCredentials.AUTHORIZATION));
		String client = client(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
		UUID tenant;
		RateLimitStatus limit;
		try {
			// the address first: a lookup, where the key's would hash it
			if (this.failures.isBlocked(client) && (token == null || !this.keys.isRecentlyValid(token))) {
				throw this.failures.refusal();
			}
			Optional<Caller> authenticated = (token != null) ? this.keys.authenticate(token) : Optional.empty();
			if (authenticated.isEmpty()) {
				this.failures.record(client);
				throw new ApiException(ProblemKind.UNAUTHORIZED, (token == null)
						? "send the metadata 'authorization: Bearer <api key>'" : "the API key is not valid");
			}
			authenticated.get()
				.require(WRITES.contains(call.getMethodDescriptor().getFullMethodName()) ? Scope.JOBS_WRITE
						: Scope.JOBS_READ);
			tenant = authenticated.get().tenantId();
			limit = this.quotas.request(tenant);
		}
		catch (RuntimeException ex) {
			call.close(GrpcErrors.of(ex), GrpcErrors.trailers(ex));
			return new ServerCall.Listener<>() {
			};
		}
		ServerCall<Q, A> answered = (limit == null) ? call : new SimpleForwardingServerCall<>(call) {
			@Override
			public void sendHeaders(Metadata responseHeaders) {
				limit.headers()
					.forEach((name, value) -> responseHeaders
						.put(Metadata.Key.of(name.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), value));
				super.sendHeaders(responseHeaders);
			}
		};
		return Contexts.interceptCall(Context.current().withValue(TENANT, tenant), answered, headers, next);
	}

	private static String bearerToken(String header) {
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		String token = header.substring(BEARER.length()).strip();
		return token.isEmpty() ? null : token;
	}

	private static String client(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getAddress().getHostAddress()
				: String.valueOf(address);
	}

}
