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
import java.util.Optional;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

	private static final int MAX_CACHED_KEYS = 100_000;

	private static final int KEY_SECRET_BYTES = 32;

	/** The prefix and the unpadded base64url of the secret. */
	private static final int KEY_LENGTH = KEY_PREFIX.length() + (KEY_SECRET_BYTES * 4 + 2) / 3;

	private final SecureRandom random = new SecureRandom();

	private final TenantRepository tenants;

	private final ApiKeyRepository keys;

	private final Clock clock;

	/** Key hash to tenant, or empty for a key that is not valid. */
	private final Cache<String, Optional<UUID>> cache = Caffeine.newBuilder()
		.expireAfterWrite(CACHE_TTL)
		.maximumSize(MAX_CACHED_KEYS)
		.build();

	/** Hashes of keys found valid in the last hour (they pass the wrong-key throttle). */
	private final Cache<String, Boolean> recentlyValid = Caffeine.newBuilder()
		.expireAfterWrite(Duration.ofHours(1))
		.maximumSize(MAX_CACHED_KEYS)
		.build();

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
		byte[] secret = new byte[KEY_SECRET_BYTES];
		this.random.nextBytes(secret);
		String apiKey = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		this.keys.save(new ApiKey(UUID.randomUUID(), tenant.getId(), hash(apiKey), apiKey.substring(0, 8), now));
		log.info("Tenant(id={}) created with name '{}'", tenant.getId(), name);
		return new NewTenant(tenant.getId(), name, apiKey);
	}

	/**
	 * The tenant an API key belongs to, if the key is valid. Not a transaction of its
	 * own: a key of the wrong form is refused without a query, and a key's answer, known
	 * or unknown, is cached for {@link #CACHE_TTL}, so only the first request with a key
	 * in that time costs the repository's read-only query.
	 */
	public Optional<UUID> authenticate(String apiKey) {
		if (!isWellFormed(apiKey)) {
			return Optional.empty();
		}
		byte[] hash = hash(apiKey);
		String cacheKey = HexFormat.of().formatHex(hash);
		return this.cache.get(cacheKey, (key) -> {
			Optional<UUID> tenant = this.keys.findByKeyHash(hash)
				.filter((found) -> !found.isRevoked())
				.map(ApiKey::getTenantId);
			// noted when looked up (every CACHE_TTL for a key in use), not on every
			// request
			tenant.ifPresent((id) -> this.recentlyValid.put(key, Boolean.TRUE));
			return tenant;
		});
	}

	/**
	 * Whether an API key was valid when this replica last looked it up (within an hour):
	 * such a key may still be looked up from an address throttled for wrong keys, since
	 * whoever guesses keys cannot know one. No query.
	 */
	public boolean isRecentlyValid(String apiKey) {
		return isWellFormed(apiKey) && this.recentlyValid.getIfPresent(HexFormat.of().formatHex(hash(apiKey))) != null;
	}

	/** Whether a text has the form of the keys this service makes. */
	static boolean isWellFormed(String apiKey) {
		if (apiKey.length() != KEY_LENGTH || !apiKey.startsWith(KEY_PREFIX)) {
			return false;
		}
		for (int i = KEY_PREFIX.length(); i < apiKey.length(); i++) {
			char c = apiKey.charAt(i);
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
				return false;
			}
		}
		return true;
	}

	private static byte[] hash(String apiKey) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

}
