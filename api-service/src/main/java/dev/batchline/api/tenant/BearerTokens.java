package dev.batchline.api.tenant;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Who a bearer token is, for every door: an API key ({@link ApiKeyManagement}), or, when
 * an issuer is configured ({@link JwtProperties}), a JWT that the issuer signed (checked
 * with Spring Security's JOSE decoder: signature, {@code exp}, {@code nbf}, {@code iss},
 * and {@code aud} when one is required). A token names its tenant in the tenant claim and
 * its scopes in {@code scope} (space-separated) or {@code scp} (a list), the same scopes
 * as API keys.
 */
@Component
public class BearerTokens {

	private static final Logger log = LoggerFactory.getLogger(BearerTokens.class);

	private final ApiKeyManagement keys;

	private final TenantRepository tenants;

	private final JwtProperties properties;

	private final JwtDecoder decoder;

	/** Tenants known to exist (a token may name one that does not). */
	private final Cache<UUID, Boolean> knownTenants = Caffeine.newBuilder()
		.expireAfterWrite(Duration.ofMinutes(5))
		.maximumSize(100_000)
		.build();

	BearerTokens(ApiKeyManagement keys, TenantRepository tenants, JwtProperties properties) {
		this.keys = keys;
		this.tenants = tenants;
		this.properties = properties;
		this.decoder = properties.enabled() ? decoder(properties) : null;
	}

	private static JwtDecoder decoder(JwtProperties properties) {
		NimbusJwtDecoder decoder;
		if (properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()) {
			decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build();
		}
		else if (properties.publicKeyLocation() != null) {
			try (InputStream pem = properties.publicKeyLocation().getInputStream()) {
				decoder = NimbusJwtDecoder.withPublicKey(RsaKeyConverters.x509().convert(pem)).build();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("batchline.api.jwt.public-key-location cannot be read", ex);
			}
		}
		else {
			throw new IllegalStateException(
					"batchline.api.jwt.issuer is set: set batchline.api.jwt.jwk-set-uri or public-key-location too");
		}
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(JwtValidators.createDefaultWithIssuer(properties.issuer()));
		if (properties.audience() != null && !properties.audience().isBlank()) {
			validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
					(audience) -> audience != null && audience.contains(properties.audience())));
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	/**
	 * Who a bearer token is.
	 * @return the caller, or empty for a token that is no valid API key
	 * @throws ApiException 401 for a JWT that is not valid, saying why
	 */
	public Optional<Caller> authenticate(String token) {
		if (ApiKeyManagement.isWellFormed(token) || this.decoder == null) {
			return this.keys.authenticate(token);
		}
		Jwt jwt;
		try {
			jwt = this.decoder.decode(token);
		}
		catch (JwtException ex) {
			log.debug("A bearer token was refused: {}", ex.getMessage());
			throw unauthorized("the token is not valid: " + ex.getMessage());
		}
		String claim = this.properties.tenantClaim();
		UUID tenantId;
		try {
			tenantId = UUID.fromString(String.valueOf(jwt.getClaims().get(claim)));
		}
		catch (IllegalArgumentException ex) {
			throw unauthorized("the token has no tenant id in its '" + claim + "' claim");
		}
		if (this.knownTenants.get(tenantId, this.tenants::existsById) != Boolean.TRUE) {
			this.knownTenants.invalidate(tenantId);
			throw unauthorized("the token's tenant does not exist");
		}
		return Optional.of(new Caller(tenantId, "jwt:" + jwt.getSubject(), scopes(jwt)));
	}

	/**
	 * Whether a token is an API key this replica found valid lately
	 * ({@link ApiKeyManagement}).
	 */
	public boolean isRecentlyValid(String token) {
		return this.keys.isRecentlyValid(token);
	}

	private static Set<Scope> scopes(Jwt jwt) {
		Set<Scope> scopes = EnumSet.noneOf(Scope.class);
		Object scope = jwt.getClaims().get("scope");
		Object scp = jwt.getClaims().get("scp");
		List<String> names = new ArrayList<>();
		if (scope instanceof String text) {
			names.addAll(List.of(text.trim().split("\\s+")));
		}
		if (scp instanceof Collection<?> list) {
			list.forEach((name) -> names.add(String.valueOf(name)));
		}
		else if (scp instanceof String text) {
			names.addAll(List.of(text.trim().split("\\s+")));
		}
		names.forEach((name) -> Scope.of(name).ifPresent(scopes::add));
		return scopes;
	}

	private static ApiException unauthorized(String detail) {
		return new ApiException(ProblemKind.UNAUTHORIZED, detail);
	}

}
