package dev.batchline.api.console;

import java.io.IOException;
import java.util.List;

import dev.batchline.api.http.ApiKeyAuthentication;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The web console's answers load nothing but the service's own files: a
 * Content-Security-Policy of {@code 'self'} only (no inline script or style, no other
 * origin, no framing), no MIME sniffing, no referrer, and a check for a newer file on
 * every load.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ConsoleHeaders extends OncePerRequestFilter {

	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		List<String> path = ApiKeyAuthentication.segments(request);
		if (!path.isEmpty() && path.get(0).equals("console")) {
			response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
			response.setHeader("X-Content-Type-Options", "nosniff");
			response.setHeader("X-Frame-Options", "DENY");
			response.setHeader("Referrer-Policy", "no-referrer");
			response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
		}
		chain.doFilter(request, response);
	}

}
