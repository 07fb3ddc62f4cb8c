package dev.batchline.api.system;

import java.util.Locale;
import java.util.Set;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Refuses to start with an admin token anyone could guess: shorter than
 * {@link #MIN_LENGTH} characters, or a well-known placeholder ({@code change-me},
 * {@code admin}, …), unless the {@code dev} or {@code local} profile is active. No admin
 * token at all is safe: the admin endpoints are then disabled.
 */
@Component
class AdminTokenCheck implements InitializingBean {

	static final int MIN_LENGTH = 16;

	private static final Set<String> WELL_KNOWN = Set.of("change-me", "changeme", "change_me", "admin", "password",
			"secret", "token", "batchline", "default", "test", "letmein", "admin-token");

	private final ApiProperties properties;

	private final Environment environment;

	AdminTokenCheck(ApiProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
	}

	@Override
	public void afterPropertiesSet() {
		String token = this.properties.adminToken();
		if (!this.properties.adminEnabled() || this.environment.acceptsProfiles(Profiles.of("dev", "local"))) {
			return;
		}
		String why = weakness(token);
		if (why != null) {
			throw new IllegalStateException("BATCHLINE_API_ADMIN_TOKEN " + why + ": set a random token of at least "
					+ MIN_LENGTH + " characters (e.g. openssl rand -hex 24), leave it unset to disable the admin "
					+ "endpoints, or run with the 'dev' profile (SPRING_PROFILES_ACTIVE=dev) on a machine of your own");
		}
	}

	/** Why a token is weak, or null. */
	static String weakness(String token) {
		if (WELL_KNOWN.contains(token.strip().toLowerCase(Locale.ROOT))) {
			return "is a well-known placeholder";
		}
		if (token.length() < MIN_LENGTH) {
			return "is shorter than " + MIN_LENGTH + " characters";
		}
		if (token.chars().distinct().count() < 6) {
			return "repeats too few characters";
		}
		return null;
	}

}
