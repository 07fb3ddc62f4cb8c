package dev.batchline.api.tenant;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;

/**
 * JWT bearer tokens from an identity provider ({@code batchline.api.jwt.*}), beside API
 * keys; off while {@code issuer} is unset.
 *
 * @param issuer the tokens' {@code iss}, which every token must carry
 * @param jwkSetUri where the issuer's signing keys are published (JWKS)
 * @param publicKeyLocation or: the issuer's RSA public key (PEM, X.509), e.g.
 * {@code file:/etc/batchline/issuer.pem}
 * @param audience the {@code aud} every token must name, or unset for any
 * @param tenantClaim the claim that names the tenant (its id)
 */
@ConfigurationProperties("batchline.api.jwt")
public record JwtProperties(String issuer, String jwkSetUri, Resource publicKeyLocation, String audience,
		@DefaultValue("tenant_id") String tenantClaim) {

	boolean enabled() {
		return this.issuer != null && !this.issuer.isBlank();
	}

}
