package dev.batchline.api;

import java.util.List;
import java.util.Map;

import dev.batchline.contracts.EventCodec;
import tools.jackson.databind.JsonNode;

import org.springframework.graphql.client.ClientGraphQlResponse;
import org.springframework.graphql.client.GraphQlClient;
import org.springframework.graphql.client.HttpSyncGraphQlClient;
import org.springframework.graphql.ResponseError;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's stock GraphQL client ({@link HttpSyncGraphQlClient}) against the API's real
 * HTTP port with a tenant's API key, as a console would call {@code /graphql}.
 */
final class GraphQlApi {

	private final HttpSyncGraphQlClient client;

	GraphQlApi(int port, String token) {
		this.client = HttpSyncGraphQlClient.builder(RestClient.builder())
			.url("http://localhost:" + port + "/graphql")
			.header("Authorization", "Bearer " + token)
			.build();
	}

	/** The response to a document with its variables (name, value, name, value…). */
	ClientGraphQlResponse execute(String document, Object... variables) {
		GraphQlClient.RequestSpec request = this.client.document(document);
		for (int i = 0; i < variables.length; i += 2) {
			request = request.variable((String) variables[i], variables[i + 1]);
		}
		return request.executeSync();
	}

	/** The data of a document that must answer without errors, as a JSON tree. */
	JsonNode data(String document, Object... variables) {
		ClientGraphQlResponse response = execute(document, variables);
		assertThat(response.getErrors()).as(document).isEmpty();
		Map<String, Object> data = response.getData();
		return EventCodec.mapper().valueToTree(data);
	}

	/** The one error of a document that must fail. */
	ResponseError error(String document, Object... variables) {
		List<ResponseError> errors = execute(document, variables).getErrors();
		assertThat(errors).as(document).hasSize(1);
		return errors.get(0);
	}

}
