package dev.batchline.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

/** The launcher tests' client of a local pipeline's API, as its local tenant. */
final class PipelineHttp {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final LocalPipeline pipeline;

	PipelineHttp(LocalPipeline pipeline) {
		this.pipeline = pipeline;
	}

	/** A request of the API with the tenant's key and a 30 s timeout. */
	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.pipeline.api().url(path)))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + this.pipeline.apiKey());
	}

	<T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
			throws IOException, InterruptedException {
		return this.http.send(request, body);
	}

	/** A GET's JSON answer; a status of 300 or more is an error. */
	JsonNode get(String path) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() >= 300) {
			throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
		}
		return EventCodec.tree(response.body());
	}

}
