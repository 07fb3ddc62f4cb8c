package dev.batchline.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JSON call to the API as the system tests make it: its answer, which must be a 2xx.
 */
final class JsonCalls {

	private JsonCalls() {
	}

	/**
	 * Sends a JSON request with a bearer token.
	 * @param http the client
	 * @param url the absolute URL
	 * @param method the HTTP method
	 * @param token the bearer token
	 * @param json the body, or null for none
	 * @return the answer's JSON
	 */
	static JsonNode call(HttpClient http, String url, String method, String token, String json) throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody())
			.build();
		try {
			HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode())
				.as(method + " " + url + ": " + new String(response.body(), StandardCharsets.UTF_8))
				.isLessThan(300);
			return EventCodec.tree(response.body());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

}
