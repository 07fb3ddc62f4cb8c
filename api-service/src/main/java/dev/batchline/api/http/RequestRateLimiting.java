package dev.batchline.api.http;

import java.io.IOException;
import java.util.UUID;

import dev.batchline.api.quota.Quotas;
import dev.batchline.api.quota.RateLimitStatus;
import dev.batchline.api.system.ApiException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes each tenant request from its tenant's requests per second ({@link Quotas}) once
 * {@link ApiKeyAuthentication} has named the tenant, and tells where the tenant stands in
 * the {@code RateLimit-Policy} and {@code RateLimit} headers of every answer; over the
 * limit, 429 with {@code Retry-After}.
 */
@Component
@Order(ApiKeyAuthentication.ORDER + 10)
class RequestRateLimiting extends OncePerRequestFilter {

	private final Quotas quotas;

	RequestRateLimiting(Quotas quotas) {
		this.quotas = quotas;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getAttribute(ApiKeyAuthentication.TENANT) instanceof UUID tenantId) {
			RateLimitStatus status;
			try {
				status = this.quotas.request(tenantId);
			}
			catch (ApiException ex) {
				ProblemHandling.write(request, response, ex);
				return;
			}
			catch (RuntimeException ex) {
				if (!ProblemHandling.isDatabaseUnavailable(ex)) {
					throw ex;
				}
				response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ProblemHandling.RETRY_AFTER_SECONDS));
				ProblemHandling.write(request, response, ProblemHandling.unavailable());
				return;
			}
			if (status != null) {
				status.headers().forEach(response::addHeader);
			}
		}
		chain.doFilter(request, response);
	}

}
