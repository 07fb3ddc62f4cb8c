package dev.batchline.api.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.tenant.BearerTokens;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.tenant.Scope;
import dev.batchline.contracts.ProblemKind;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request but the public ones (Actuator, which has a port of its own,
 * and its probes {@code /livez} and {@code /readyz} on this one, the OpenAPI document,
 * its Swagger UI ({@code /docs}, {@code /swagger-ui}), the Open Inference Protocol's
 * health, {@code /v2/health/**}, which probes call without a key, and the web console's
 * static files under {@code /console}, whose calls of the API carry the key):
 * {@code Authorization: Bearer <api key>} for the tenant endpoints, the admin token for
 * {@code /v1/admin}. The tenant is put in the request attribute {@link #TENANT};
 * controllers read it with {@code @RequestAttribute}, and the admin controller requires
 * {@link #ADMIN}, so a request that reached a controller without passing here is refused
 * there too.
 * <p>
 * Paths are compared the way Spring MVC matches them: percent-decoded, with
 * {@code ;params} and empty segments dropped and dot segments resolved, so
 * {@code /v1;x/admin/tenants} or {@code /v1/%61dmin/tenants} are admin requests too.
 */
@Component
@Order(ApiKeyAuthentication.ORDER)
public class ApiKeyAuthentication extends OncePerRequestFilter {

	/** This filter's place: after Spring's own, before the other filters of the edge. */
	static final int ORDER = Ordered.LOWEST_PRECEDENCE - 30;

	/** Request attribute holding the authenticated tenant's id. */
	public static final String TENANT = "batchline.tenant";

	/**
	 * Request attribute holding the authenticated {@link Caller} (the key and its
	 * scopes).
	 */
	public static final String CALLER = "batchline.caller";

	/** Request attribute set to {@code true} once the admin token was checked. */
	public static final String ADMIN = "batchline.admin";

	private static final List<List<String>> PUBLIC = List.of(List.of("actuator"), List.of("v3", "api-docs"),
			List.of("v2", "health"), List.of("docs"), List.of("swagger-ui"), List.of("console"), List.of("livez"),
			List.of("readyz"));

	private static final List<String> ADMIN_PATH = List.of("v1", "admin");

	private static final List<String> JOBS_PATH = List.of("v1", "jobs");

	private static final List<String> FILES_PATH = List.of("v1", "files");

	private static final List<String> MODELS_PATH = List.of("v1", "models");

	private static final List<String> OIP_MODELS_PATH = List.of("v2", "models");

	private static final String BEARER = "Bearer ";

	private final BearerTokens keys;

	private final ApiProperties properties;

	private final FailedAuthentications failures;

	ApiKeyAuthentication(BearerTokens keys, ApiProperties properties, FailedAuthentications failures) {
		this.keys = keys;
		this.failures = failures;
		this.properties = properties;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		List<String> path = segments(request);
		if (PUBLIC.stream().anyMatch((prefix) -> startsWith(path, prefix))) {
			chain.doFilter(request, response);
			return;
		}
		String token = bearerToken(request);
		if (startsWith(path, ADMIN_PATH)) {
			if (!this.properties.adminEnabled()) {
				reject(request, response, new ApiException(ProblemKind.ADMIN_DISABLED,
						"The admin endpoints are disabled: set BATCHLINE_API_ADMIN_TOKEN to enable them"));
				return;
			}
			if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
					this.properties.adminToken().getBytes(StandardCharsets.UTF_8))) {
				if (this.failures.isBlocked(request.getRemoteAddr())) {
					reject(request, response, this.failures.refusal());
					return;
				}
				this.failures.record(request.getRemoteAddr());
				reject(request, response, unauthorized("a valid admin token is required"));
				return;
			}
			request.setAttribute(ADMIN, Boolean.TRUE);
			chain.doFilter(request, response);
			return;
		}
		String client = request.getRemoteAddr();
		// the address first: a lookup, where the key's would hash it
		if (this.failures.isBlocked(client) && (token == null || !this.keys.isRecentlyValid(token))) {
			reject(request, response, this.failures.refusal());
			return;
		}
		Optional<Caller> caller;
		try {
			caller = (token != null) ? this.keys.authenticate(token) : Optional.empty();
		}
		catch (ApiException ex) {
			// a JWT that is not valid, and why
			this.failures.record(client);
			reject(request, response, ex);
			return;
		}
		catch (DataAccessException | TransactionException ex) {
			if (!ProblemHandling.isDatabaseUnavailable(ex)) {
				throw ex;
			}
			response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ProblemHandling.RETRY_AFTER_SECONDS));
			reject(request, response, ProblemHandling.unavailable());
			return;
		}
		if (caller.isEmpty()) {
			this.failures.record(client);
			reject(request, response, unauthorized(
					(token == null) ? "send 'Authorization: Bearer <api key or token>'" : "the API key is not valid"));
			return;
		}
		Scope needed = Scopes.required(request.getMethod(), path);
		try {
			if (needed != null) {
				caller.get().require(needed);
			}
		}
		catch (ApiException ex) {
			reject(request, response, ex);
			return;
		}
		request.setAttribute(TENANT, caller.get().tenantId());
		request.setAttribute(CALLER, caller.get());
		chain.doFilter(request, response);
	}

	/**
	 * The request's path within the application as Spring MVC matches it: decoded segment
	 * values without {@code ;params}, empty and {@code .} segments dropped, {@code ..}
	 * resolved.
	 * @param request the request
	 * @return the path's segments
	 */
	public static List<String> segments(HttpServletRequest request) {
		RequestPath path = RequestPath.parse(request.getRequestURI(), request.getContextPath());
		Deque<String> segments = new ArrayDeque<>();
		for (PathContainer.Element element : path.pathWithinApplication().elements()) {
			if (element instanceof PathContainer.PathSegment segment) {
				String value = segment.valueToMatch();
				if (value.equals("..")) {
					segments.pollLast();
				}
				else if (!value.isEmpty() && !value.equals(".")) {
					segments.addLast(value);
				}
			}
		}
		return List.copyOf(segments);
	}

	/** Whether a request is a job submission ({@code POST /v1/jobs}). */
	static boolean isJobSubmission(HttpServletRequest request) {
		return "POST".equals(request.getMethod()) && segments(request).equals(JOBS_PATH);
	}

	/**
	 * Whether a request is a file upload of the OpenAI-compatible API
	 * ({@code POST /v1/files}), which takes large multipart bodies.
	 */
	static boolean isFileUpload(HttpServletRequest request) {
		return "POST".equals(request.getMethod()) && segments(request).equals(FILES_PATH);
	}

	/**
	 * Whether a request is a synchronous prediction (a {@code POST} under
	 * {@code /v2/models} or {@code /v1/models}).
	 */
	static boolean isPrediction(HttpServletRequest request) {
		if (!"POST".equals(request.getMethod())) {
			return false;
		}
		List<String> path = segments(request);
		return startsWith(path, OIP_MODELS_PATH) || startsWith(path, MODELS_PATH);
	}

	private static boolean startsWith(List<String> path, List<String> prefix) {
		return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
	}

	private static String bearerToken(HttpServletRequest request) {
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		String token = header.substring(BEARER.length()).strip();
		return token.isEmpty() ? null : token;
	}

	private static ApiException unauthorized(String detail) {
		return new ApiException(ProblemKind.UNAUTHORIZED, detail);
	}

	private static void reject(HttpServletRequest request, HttpServletResponse response, ApiException ex)
			throws IOException {
		ProblemHandling.write(request, response, ex);
	}

}
