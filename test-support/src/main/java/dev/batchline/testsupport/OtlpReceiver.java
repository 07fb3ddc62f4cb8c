package dev.batchline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/**
 * A real OTLP/HTTP trace receiver for the tests: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} in protobuf (gzip or not), decoded with the
 * OpenTelemetry project's own message classes, answered {@code 200} as a collector would.
 * Listens on a free port of 127.0.0.1.
 */
public final class OtlpReceiver implements AutoCloseable {

	private final HttpServer server;

	private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

	private final List<String> contentTypes = new CopyOnWriteArrayList<>();

	private OtlpReceiver(HttpServer server) {
		this.server = server;
	}

	/** Starts a receiver. */
	public static OtlpReceiver start() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			OtlpReceiver receiver = new OtlpReceiver(server);
			server.createContext("/v1/traces", (exchange) -> {
				try (exchange) {
					receiver.contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
					InputStream body = exchange.getRequestBody();
					if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
						body = new GZIPInputStream(body);
					}
					receiver.receive(ExportTraceServiceRequest.parseFrom(body.readAllBytes()));
					exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
					exchange.sendResponseHeaders(200, -1);
				}
			});
			server.start();
			return receiver;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The endpoint to export to, e.g. {@code http://127.0.0.1:40123/v1/traces}. */
	public String tracesEndpoint() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1/traces";
	}

	/** The spans received so far. */
	public List<ReceivedSpan> spans() {
		return List.copyOf(this.spans);
	}

	/** The content types of the export requests received so far. */
	public List<String> contentTypes() {
		return List.copyOf(this.contentTypes);
	}

	private void receive(ExportTraceServiceRequest request) {
		HexFormat hex = HexFormat.of();
		for (ResourceSpans resource : request.getResourceSpansList()) {
			String service = resource.getResource()
				.getAttributesList()
				.stream()
				.filter((attribute) -> attribute.getKey().equals("service.name"))
				.map((attribute) -> attribute.getValue().getStringValue())
				.findFirst()
				.orElse("");
			for (ScopeSpans scope : resource.getScopeSpansList()) {
				for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
					this.spans.add(new ReceivedSpan(service, span.getName(), span.getKind().name(),
							hex.formatHex(span.getTraceId().toByteArray()),
							hex.formatHex(span.getSpanId().toByteArray()),
							hex.formatHex(span.getParentSpanId().toByteArray()), attributes(span.getAttributesList())));
				}
			}
		}
	}

	private static java.util.Map<String, String> attributes(List<KeyValue> attributes) {
		java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
		for (KeyValue attribute : attributes) {
			map.put(attribute.getKey(), attribute.getValue().getStringValue());
		}
		return map;
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	/**
	 * A span as received.
	 *
	 * @param service the {@code service.name} of its resource
	 * @param name its name
	 * @param kind its kind, e.g. {@code SPAN_KIND_SERVER}
	 * @param traceId its trace id, 32 hex digits
	 * @param spanId its span id, 16 hex digits
	 * @param parentSpanId its parent's span id, or empty
	 * @param attributes its string attributes
	 */
	public record ReceivedSpan(String service, String name, String kind, String traceId, String spanId,
			String parentSpanId, java.util.Map<String, String> attributes) {
	}

}
