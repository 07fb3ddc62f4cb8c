package dev.batchline.api.system;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class AdminTokenCheckTests {

	@Test
	void refusesShortOrWellKnownTokensOutsideTheDevProfile() {
		assertThat(AdminTokenCheck.weakness("change-me")).isEqualTo("is a well-known placeholder");
		assertThat(AdminTokenCheck.weakness("Admin")).isEqualTo("is a well-known placeholder");
		assertThat(AdminTokenCheck.weakness("s3cr3t-but-short")).isNull();
		assertThat(AdminTokenCheck.weakness("abc123")).contains("shorter than 16");
		assertThat(AdminTokenCheck.weakness("aaaaaaaaaaaaaaaaaaaaaaaa")).contains("too few");
		assertThat(AdminTokenCheck.weakness("adm_4f1c2b7e9a0d3c5e8b6f1a2d")).isNull();

		assertThatIllegalStateException().isThrownBy(() -> check("change-me")).withMessageContaining("placeholder");
		assertThatNoException().isThrownBy(() -> check("change-me", "dev"));
		assertThatNoException().isThrownBy(() -> check(null));
		assertThatNoException().isThrownBy(() -> check("adm_4f1c2b7e9a0d3c5e8b6f1a2d"));
	}

	private static void check(String token, String... profiles) {
		MockEnvironment environment = new MockEnvironment();
		environment.setActiveProfiles(profiles);
		Map<String, Object> settings = (token != null) ? Map.of("batchline.api.admin-token", token) : Map.of();
		ApiProperties properties = new Binder(
				ConfigurationPropertySources.from(new MapPropertySource("test", settings)))
			.bindOrCreate("batchline.api", ApiProperties.class);
		new AdminTokenCheck(properties, environment).afterPropertiesSet();
	}

}
