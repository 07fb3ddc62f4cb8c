package dev.batchline.api.system;

import java.net.URI;

import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Links in answers as the client sees the API: absolute URLs on the scheme, host and port
 * the request came in on. Behind a gateway those are the ones its
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and {@code X-Forwarded-Port}
 * headers name: Tomcat applies them to requests from trusted proxies
 * ({@code server.forward-headers-strategy=native},
 * {@code server.tomcat.remoteip.internal-proxies}; docs/api.md, "Behind a gateway").
 * Outside an HTTP request (gRPC, listeners) a link stays a path.
 */
public final class PublicUrls {

	private PublicUrls() {
	}

	/**
	 * The public URL of a path of the API.
	 * @param path from the root, e.g. {@code /v1/jobs/<id>}
	 * @return the absolute URL in a request, else the path
	 */
	public static String of(String path) {
		if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes)) {
			return path;
		}
		return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString() + path;
	}

	/**
	 * The public URL of a path of the API, for a {@code Location} header.
	 * @param path from the root
	 * @return the absolute URI in a request, else the path
	 */
	public static URI uri(String path) {
		return URI.create(of(path));
	}

}
