package dev.batchline.api.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.batchline.contracts.webhooks.WebhookSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenants and their API keys. A key is shown once, when it is made; only its SHA-256 hash
 * is stored. Lookups of a key are cached briefly, so that authenticating a request does
 * not cost a query each time.
 */
@Service
public class TenantManagement {

	private static final Logger log = LoggerFactory.getLogger(TenantManagement.class);

	private static final String KEY_PREFIX = "bl_";

	private static final Duration CACHE_TTL = Duration.ofSeconds(30);

	private static final int MAX_CACHED_KEYS = 10_000;

	private final SecureRandom random = new SecureRandom();

	private final TenantRepository tenants;

	private final ApiKeyRepository keys;

	private final Clock clock;

	private final Map<String, CachedTenant> cache = new ConcurrentHashMap<>();

	TenantManagement(TenantRepository tenants, ApiKeyRepository keys, Clock clock) {
		this.tenants = tenants;
		this.keys = keys;
		this.clock = clock;
	}

	/**
	 * A tenant and its first API key.
	 *
	 * @param tenantId the tenant
	 * @param name the tenant's name
	 * @param apiKey the key, in clear: this is the only time it is shown
	 */
	public record NewTenant(UUID tenantId, String name, String apiKey) {
	}

	/**
	 * Creates a tenant with one API key and the secret that signs its jobs' callbacks
	 * (the dispatcher needs it before anyone asks to see it).
	 */
	@Transactional
	public NewTenant createTenant(String name) {
		Instant now = this.clock.instant();
		Tenant tenant = this.tenants.save(new Tenant(UUID.randomUUID(), name, WebhookSecret.generate().value(), now));
		byte[] secret = new byte[32];
		this.random.nextBytes(secret);
		String apiKey = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		this.keys.save(new ApiKey(UUID.randomUUID(), tenant.getId(), hash(apiKey), apiKey.substring(0, 8), now));
		log.info("Tenant(id={}) created with name '{}'", tenant.getId(), name);
		return new NewTenant(tenant.getId(), name, apiKey);
	}

	/**
	 * The tenant an API key belongs to, if the key is valid. Not a transaction of its
	 * own: a cached key (every request but one per key and {@link #CACHE_TTL}) costs no
	 * connection, and a miss runs the repository's read-only query.
	 */
	public Optional<UUID> authenticate(String apiKey) {
		byte[] hash = hash(apiKey);
		String cacheKey = HexFormat.of().formatHex(hash);
		Instant now = this.clock.instant();
		CachedTenant cached = this.cache.get(cacheKey);
		if (cached != null && cached.expires().isAfter(now)) {
			return Optional.of(cached.tenantId());
		}
		Optional<UUID> tenant = this.keys.findByKeyHash(hash)
			.filter((key) -> !key.isRevoked())
			.map(ApiKey::getTenantId);
		if (tenant.isPresent()) {
			if (this.cache.size() >= MAX_CACHED_KEYS) {
				this.cache.clear();
			}
			this.cache.put(cacheKey, new CachedTenant(tenant.get(), now.plus(CACHE_TTL)));
		}
		return tenant;
	}

	private static byte[] hash(String apiKey) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

	private record CachedTenant(UUID tenantId, Instant expires) {
	}

}
