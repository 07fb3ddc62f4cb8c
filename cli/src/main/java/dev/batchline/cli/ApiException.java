package dev.batchline.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An error answer of the API, read from its {@code application/problem+json} body (RFC
 * 9457): its title and detail make the one line the client prints.
 */
final class ApiException extends CliException {

	private final int status;

	private ApiException(int status, String message) {
		super(ExitCodes.forStatus(status), message);
		this.status = status;
	}

	int status() {
		return this.status;
	}

	/** Whether trying again later may help: 429 and 5xx. */
	boolean transientFailure() {
		return this.status == 429 || this.status >= 500;
	}

	static ApiException of(int status, byte[] body, JsonMapper json) {
		String title = null;
		String detail = null;
		try {
			JsonNode problem = json.readTree(body);
			title = text(problem.get("title"));
			detail = text(problem.get("detail"));
		}
		catch (JacksonException ex) {
			// not a problem document (a proxy's page, say): the status says it all
		}
		StringBuilder message = new StringBuilder((title != null) ? title : "HTTP error").append(" (")
			.append(status)
			.append(")");
		if (detail != null) {
			message.append(": ").append(detail);
		}
		if (status == 401) {
			message.append(" (set BATCHLINE_API_KEY or --api-key)");
		}
		return new ApiException(status, message.toString());
	}

	private static String text(JsonNode node) {
		return (node != null && node.isString() && !node.asString().isBlank())
				? node.asString().strip().replaceAll("\\s+", " ") : null;
	}

}
