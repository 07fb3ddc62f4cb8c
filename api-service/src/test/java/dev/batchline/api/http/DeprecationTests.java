package dev.batchline.api.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers of a deprecation, byte for byte, and the version policy's rules kept by the
 * list of deprecations and its page.
 */
class DeprecationTests {

	@Test
	void deprecationIsAStructuredFieldDateOfTheFirstSecondOfItsDay() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		Deprecation.WEBHOOK_SECRET_PATH.signal(response);
		// 2026-12-03T00:00:00Z
		assertThat(response.getHeader("Deprecation")).isEqualTo("@1796256000").matches("@-?[0-9]{1,15}");
	}

	@Test
	void sunsetIsAnImfFixdateInGmt() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		Deprecation.WEBHOOK_SECRET_PATH.signal(response);
		assertThat(response.getHeader("Sunset")).isEqualTo("Wed, 30 Jun 2027 00:00:00 GMT");
	}

	@Test
	void daysBeforeTheTenthHaveTwoDigitsAsAnImfFixdateWants() {
		assertThat(Deprecation.HTTP_DATE.format(Instant.parse("2027-06-03T00:00:00Z")))
			.isEqualTo("Thu, 03 Jun 2027 00:00:00 GMT");
	}

	@Test
	void linksToTheListOfDeprecationsAndToTheSunsetPolicy() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		Deprecation.WEBHOOK_SECRET_PATH.signal(response);
		assertThat(response.getHeaders("Link")).containsExactly(
				"<https://batchline.dev/docs/versioning#deprecations>; rel=\"deprecation\"; type=\"text/html\"",
				"<https://batchline.dev/docs/versioning#sunset>; rel=\"sunset\"; type=\"text/html\"");
	}

	@Test
	void aSecondSignalKeepsTheEarliestDatesAndOneLinkOfEach() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setHeader("Deprecation", "@1");
		response.setHeader("Sunset", "Fri, 01 Jan 2100 00:00:00 GMT");
		Deprecation.WEBHOOK_SECRET_PATH.signal(response);
		Deprecation.WEBHOOK_SECRET_PATH.signal(response);
		assertThat(response.getHeader("Deprecation")).isEqualTo("@1");
		assertThat(response.getHeader("Sunset")).isEqualTo("Wed, 30 Jun 2027 00:00:00 GMT");
		assertThat(response.getHeaders("Link")).hasSize(2);
	}

	@Test
	void everyDeprecationGivesAtLeastTheMinimumNoticeBeforeItsSunset() {
		for (Deprecation deprecation : Deprecation.values()) {
			assertThat(deprecation.sunset()).as(deprecation.name())
				.isAfterOrEqualTo(deprecation.since().plus(Deprecation.MINIMUM_NOTICE));
		}
	}

	@Test
	void theVersionPolicyListsEveryDeprecationWithItsDates() throws IOException {
		// the tests run in the module's directory
		List<String> rows = Files.readAllLines(Path.of("..", "docs", "versioning.md"))
			.stream()
			.filter((line) -> line.startsWith("|"))
			.toList();
		for (Deprecation deprecation : Deprecation.values()) {
			assertThat(rows).as(deprecation.name())
				.anyMatch((row) -> row.contains("`" + deprecation.deprecated() + "`")
						&& row.contains("`" + deprecation.replacement() + "`")
						&& row.contains(deprecation.since().toString())
						&& row.contains(deprecation.sunset().toString()));
		}
	}

}
