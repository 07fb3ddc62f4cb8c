package dev.batchline.cli;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ApiExceptionTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void aProblemBecomesOneLineWithTitleStatusAndDetail() {
		ApiException problem = ApiException.of(422, bytes("""
				{"type":"https://batchline.dev/problems/invalid-instance","title":"Invalid instance","status":422,
				 "detail":"instances[1]: input 'features'\\nhas 3 values"}"""), this.json);

		assertThat(problem.getMessage())
			.isEqualTo("Invalid instance (422): instances[1]: input 'features' has 3 values");
		assertThat(problem.exitCode()).isEqualTo(ExitCodes.REFUSED);
		assertThat(problem.transientFailure()).isFalse();
	}

	@Test
	void statusesMapToTheDocumentedExitCodes() {
		assertThat(ApiException.of(401, bytes("{\"title\":\"Unauthorized\"}"), this.json).getMessage())
			.isEqualTo("Unauthorized (401) (set BATCHLINE_API_KEY or --api-key)");
		assertThat(ApiException.of(401, new byte[0], this.json).exitCode()).isEqualTo(ExitCodes.AUTH);
		assertThat(ApiException.of(403, new byte[0], this.json).exitCode()).isEqualTo(ExitCodes.AUTH);
		assertThat(ApiException.of(404, new byte[0], this.json).exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
		assertThat(ApiException.of(409, new byte[0], this.json).exitCode()).isEqualTo(ExitCodes.REFUSED);
		assertThat(ApiException.of(429, new byte[0], this.json).exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
		assertThat(ApiException.of(503, bytes("<html>proxy</html>"), this.json).getMessage())
			.isEqualTo("HTTP error (503)");
		assertThat(ApiException.of(503, new byte[0], this.json).transientFailure()).isTrue();
	}

	@Test
	void aWaitedForJobExitsByItsFinalState() {
		assertThat(ExitCodes.forState("SUCCEEDED")).isZero();
		assertThat(ExitCodes.forState("FAILED")).isEqualTo(10);
		assertThat(ExitCodes.forState("PARTIALLY_SUCCEEDED")).isEqualTo(11);
		assertThat(ExitCodes.forState("CANCELLED")).isEqualTo(12);
		assertThat(ExitCodes.forState("EXPIRED")).isEqualTo(13);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
