package dev.batchline.api.http;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the served OpenAPI document ({@code /v3/api-docs}, Swagger UI at {@code /docs})
 * says beyond what springdoc reads from the controllers: the bearer security scheme on
 * every operation but the public ones, the bodies of the operations that read their
 * request themselves (job submissions as JSON or NDJSON, inference requests, batches),
 * with examples, and every error as its door writes it (RFC 9457 problems; the inference
 * protocols' {@code {"error"}}; OpenAI's error object). The document is checked in at
 * {@code docs/openapi.json}; {@code OpenApiDocumentIntegrationTests} fails when they
 * differ.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocument {

	private static final String BEARER = "bearer";

	private static final String PROBLEM = "application/problem+json";

	@Bean
	OpenAPI batchlineOpenApi() {
		return new OpenAPI()
			.info(new Info().title("Batchline API")
				.version("v1")
				.description("Asynchronous batch and real-time inference: jobs, results, events, webhooks, "
						+ "the Open Inference Protocol, TensorFlow Serving's REST API and an OpenAI-Batch-compatible "
						+ "API. Guides: https://github.com/batchline/batchline/tree/main/docs"))
			.servers(List.of(new Server().url("/").description("this api-service")))
			.components(new Components()
				.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
					.scheme("bearer")
					.description("A tenant's API key (bl_…) or a JWT of the configured issuer; the admin token for "
							+ "/v1/admin. What a key may do: its scopes (docs/security.md)."))
				.addSchemas("Problem", problem())
				.addSchemas("InferenceError", new ObjectSchema().addProperty("error", new StringSchema()))
				.addSchemas("OpenAiError",
						new ObjectSchema().addProperty("error",
								new ObjectSchema().addProperty("message", new StringSchema())
									.addProperty("type", new StringSchema())
									.addProperty("param", new StringSchema().nullable(true))
									.addProperty("code", new StringSchema())))
				.addSchemas("JobSubmission", jobSubmission())
				.addSchemas("InferRequest", inferRequest())
				.addSchemas("PredictRequest", predictRequest())
				.addSchemas("BatchRequest", batchRequest()))
			.addSecurityItem(new SecurityRequirement().addList(BEARER));
	}

	@Bean
	OpenApiCustomizer batchlineOperations() {
		return (openApi) -> openApi.getPaths().forEach((path, item) -> {
			for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.readOperationsMap().entrySet()) {
				describe(path, entry.getKey(), entry.getValue());
			}
		});
	}

	private static void describe(String path, PathItem.HttpMethod method, Operation operation) {
		if (path.startsWith("/v2/health")) {
			operation.setSecurity(List.of());
		}
		if (method == PathItem.HttpMethod.POST && path.equals("/v1/jobs")) {
			operation.requestBody(new RequestBody().required(true)
				.description("The job as JSON, or a stream of NDJSON items with the job's fields as query parameters "
						+ "(docs/api.md)")
				.content(
						new Content().addMediaType("application/json",
								json("JobSubmission", Map.of("model", "iris", "instances", List.of(List.of(5.1, 3.5,
										1.4, 0.2), Map.of("custom_id", "flower-2", "instance", List.of(6.7, 3.0, 5.2, 2.3))))))
							.addMediaType("application/x-ndjson", new MediaType().schema(new StringSchema())
								.example(
										"[5.1, 3.5, 1.4, 0.2]\n{\"custom_id\": \"flower-2\", \"instance\": [6.7, 3.0, 5.2, 2.3]}\n"))));
		}
		else if (method == PathItem.HttpMethod.POST && path.startsWith("/v2/models/") && path.endsWith("/infer")) {
			operation.requestBody(new RequestBody().required(true)
				.content(new Content().addMediaType("application/json",
						json("InferRequest", Map.of("id", "request-1", "inputs", List.of(Map.of("name", "features",
								"shape", List.of(1, 4), "datatype", "FP32", "data", List.of(5.1, 3.5, 1.4, 0.2))))))));
		}
		else if (method == PathItem.HttpMethod.POST && path.startsWith("/v1/models/") && path.endsWith(":predict")) {
			operation.requestBody(new RequestBody().required(true)
				.content(new Content().addMediaType("application/json",
						json("PredictRequest", Map.of("instances", List.of(List.of(5.1, 3.5, 1.4, 0.2)))))));
		}
		else if (method == PathItem.HttpMethod.POST && path.equals("/v1/batches")) {
			operation.requestBody(new RequestBody().required(true)
				.content(new Content().addMediaType("application/json", json("BatchRequest", Map.of("input_file_id",
						"file-0f9c…", "endpoint", "/v1/models/iris:predict", "completion_window", "24h")))));
		}
		errors(path, operation);
	}

	/** Every error as the path's door writes it. */
	private static void errors(String path, Operation operation) {
		String schema;
		String type;
		if (path.startsWith("/v1/files") || path.startsWith("/v1/batches")) {
			schema = "OpenAiError";
			type = "application/json";
		}
		else if ((path.startsWith("/v2/") || path.matches("/v1/models/.+(:predict|/metadata|/versions/.+|/labels/.+)"))
				&& !path.startsWith("/v2/health")) {
			schema = "InferenceError";
			type = "application/json";
		}
		else {
			schema = "Problem";
			type = PROBLEM;
		}
		Content content = new Content().addMediaType(type,
				new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema)));
		operation.getResponses()
			.addApiResponse("4XX",
					new ApiResponse()
						.description("A client error: bad input, no or a wrong key, a missing scope, "
								+ "not found, over a limit (429 with Retry-After)")
						.content(content))
			.addApiResponse("5XX",
					new ApiResponse()
						.description(
								"PostgreSQL or the workers unavailable (503 with Retry-After), no answer in time (504)")
						.content(content));
	}

	private static MediaType json(String schema, Object example) {
		return new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema)).example(example);
	}

	private static Schema<?> problem() {
		return new ObjectSchema().description("RFC 9457 problem details; 'type' is stable per kind of error")
			.addProperty("type", new StringSchema().example("https://batchline.dev/problems/invalid-instance"))
			.addProperty("title", new StringSchema())
			.addProperty("status", new IntegerSchema())
			.addProperty("detail", new StringSchema())
			.addProperty("instance", new StringSchema())
			.additionalProperties(true);
	}

	private static Schema<?> jobSubmission() {
		return new ObjectSchema().required(List.of("model", "instances"))
			.addProperty("model", new StringSchema())
			.addProperty("version", new StringSchema().description("a version or version label; pins the job"))
			.addProperty("instances",
					new ArraySchema().items(new Schema<>()
						.description("one item: TensorFlow Serving's instance, or {\"custom_id\", \"instance\"}")))
			.addProperty("metadata", new ObjectSchema().additionalProperties(true))
			.addProperty("callback", new ObjectSchema().addProperty("url", new StringSchema()))
			.addProperty("completion_window", new StringSchema().example("24h"))
			.addProperty("output_expires_after",
					new ObjectSchema().addProperty("anchor", new StringSchema())
						.addProperty("seconds", new IntegerSchema()))
			.addProperty("cache", new BooleanSchema());
	}

	private static Schema<?> inferRequest() {
		return new ObjectSchema().required(List.of("inputs"))
			.addProperty("id", new StringSchema())
			.addProperty("inputs",
					new ArraySchema().items(new ObjectSchema().required(List.of("name", "shape", "datatype", "data"))
						.addProperty("name", new StringSchema())
						.addProperty("shape", new ArraySchema().items(new IntegerSchema()))
						.addProperty("datatype", new StringSchema().example("FP32"))
						.addProperty("data", new ArraySchema().items(new Schema<>()))))
			.addProperty("outputs",
					new ArraySchema().items(new ObjectSchema().addProperty("name", new StringSchema())));
	}

	private static Schema<?> predictRequest() {
		return new ObjectSchema().description("give either instances (row format) or inputs (columnar format)")
			.addProperty("signature_name", new StringSchema().example("serving_default"))
			.addProperty("instances", new ArraySchema().items(new Schema<>()))
			.addProperty("inputs", new Schema<>());
	}

	private static Schema<?> batchRequest() {
		return new ObjectSchema().required(List.of("input_file_id", "endpoint", "completion_window"))
			.addProperty("input_file_id", new StringSchema())
			.addProperty("endpoint", new StringSchema().example("/v1/models/iris:predict"))
			.addProperty("completion_window", new StringSchema().example("24h"))
			.addProperty("metadata", new ObjectSchema().additionalProperties(new StringSchema()))
			.addProperty("output_expires_after", new ObjectSchema().addProperty("anchor", new StringSchema())
				.addProperty("seconds", new IntegerSchema()));
	}

}
