package dev.batchline.api.system;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import dev.batchline.contracts.ProblemKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PageCursorTests {

	private static final UUID ID = UUID.fromString("6f1c3a52-1f0e-4a54-9b8e-2d1c0c1e7a11");

	@ParameterizedTest
	@ValueSource(strings = { "2026-11-22T10:00:00Z", "-4712-01-01T00:00:00Z", "+294276-12-31T23:59:59.999999Z" })
	void readsBackWhatItWrote(String instant) {
		PageCursor cursor = new PageCursor(Instant.parse(instant), ID);
		assertThat(PageCursor.decode(cursor.encode())).isEqualTo(cursor);
	}

	@ParameterizedTest
	@ValueSource(strings = { "+1000000000-12-31T23:59:59Z", "-1000000000-01-01T00:00:00Z", "+9999999-01-01T00:00:00Z",
			"+294277-01-01T00:00:00Z", "-4712-12-31T23:59:59Z|x", "-4713-12-31T23:59:59Z" })
	void refusesInstantsPostgresCannotCompareAsABadRequest(String instant) {
		String cursor = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((instant + (instant.contains("|") ? "" : "|" + ID)).getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> PageCursor.decode(cursor))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProblemKind.BAD_REQUEST));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "%%%garbage", "====", "bm8gYmFy", "aTEw" })
	void refusesWhatIsNoCursor(String cursor) {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> PageCursor.decode(cursor))
			.withMessage("'cursor' is not a cursor this API returned");
	}

	@ParameterizedTest
	@ValueSource(strings = { "+294277-01-01T00:00:00Z", "-4713-12-31T23:59:59.999Z", "+1000000000-12-31T23:59:59Z",
			"2026-13-01T00:00:00Z", "yesterday", "" })
	void refusesSinceOutsideTheStorableRange(String since) {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> Instants.parse("since", since))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProblemKind.BAD_REQUEST))
			.satisfies((ex) -> assertThat(ex.getMessage()).startsWith("'since' must"));
	}

	@Test
	void takesTheEndsOfTheStorableRange() {
		assertThat(Instants.parse("since", "-4712-01-01T00:00:00Z")).isEqualTo(Instants.EARLIEST);
		assertThat(Instants.parse("since", "+294276-12-31T23:59:59.999999Z")).isEqualTo(Instants.LATEST);
	}

}
