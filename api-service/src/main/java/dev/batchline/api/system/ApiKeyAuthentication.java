package dev.batchline.api.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.tenant.TenantManagement;
import dev.batchline.contracts.EventCodec;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every {@code /v1} request: {@code Authorization: Bearer <api key>} for
 * the tenant endpoints, the admin token for {@code /v1/admin}. The tenant is put in the
 * request attribute {@link #TENANT}; controllers read it with {@code @RequestAttribute}.
 */
@Component
public class ApiKeyAuthentication extends OncePerRequestFilter {

	/** Request attribute holding the authenticated tenant's id. */
	public static final String TENANT = "batchline.tenant";

	private static final String BEARER = "Bearer ";

	private final TenantManagement tenants;

	private final ApiProperties properties;

	ApiKeyAuthentication(TenantManagement tenants, ApiProperties properties) {
		this.tenants = tenants;
		this.properties = properties;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/v1/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String token = bearerToken(request);
		if (request.getRequestURI().startsWith("/v1/admin/")) {
			if (!this.properties.adminEnabled()) {
				reject(response, new ApiException(HttpStatus.FORBIDDEN, "admin-disabled", "Admin endpoints disabled",
						"The admin endpoints are disabled: set BATCHLINE_API_ADMIN_TOKEN to enable them"));
				return;
			}
			if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
					this.properties.adminToken().getBytes(StandardCharsets.UTF_8))) {
				reject(response, unauthorized("a valid admin token is required"));
				return;
			}
			chain.doFilter(request, response);
			return;
		}
		Optional<UUID> tenant = (token != null) ? this.tenants.authenticate(token) : Optional.empty();
		if (tenant.isEmpty()) {
			reject(response, unauthorized(
					(token == null) ? "send 'Authorization: Bearer <api key>'" : "the API key is not valid"));
			return;
		}
		request.setAttribute(TENANT, tenant.get());
		chain.doFilter(request, response);
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
		return new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail);
	}

	private static void reject(HttpServletResponse response, ApiException ex) throws IOException {
		ProblemDetail problem = ProblemHandling.problem(ex).getBody();
		response.setStatus(ex.status().value());
		if (ex.status() == HttpStatus.UNAUTHORIZED) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
		body.put("type", problem.getType().toString());
		body.put("title", problem.getTitle());
		body.put("status", problem.getStatus());
		body.put("detail", problem.getDetail());
		response.getOutputStream().write(EventCodec.encode(body));
	}

}
