package dev.batchline.api.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant's API keys: made with a name, scopes and an optional expiry (the secret shown
 * once; only its SHA-256 is kept), listed with when each was last used, rotated (the new
 * key at once, the old one still valid for a chosen overlap) and revoked. Every change is
 * in the {@link AuditLog}.
 * <p>
 * Authenticating a key is cached for {@link #CACHE_TTL} only, so a key revoked on one
 * replica is refused by every replica within a second; its expiry and revocation time are
 * checked on every request.
 */
@Service
public class ApiKeyManagement {

	private static final Logger log = LoggerFactory.getLogger(ApiKeyManagement.class);

	/**
	 * How long a key's lookup is trusted: the most a revocation takes to reach a replica.
	 */
	static final Duration CACHE_TTL = Duration.ofSeconds(1);

	/** How often a key's {@code last_used_at} is written while it is used. */
	private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

	/** The longest a rotated key keeps working beside its successor. */
	public static final Duration MAX_OVERLAP = Duration.ofDays(30);

	/** The most keys (not revoked) a tenant may hold. */
	public static final int MAX_KEYS = 100;

	private static final int MAX_NAME_LENGTH = 100;

	private static final String KEY_PREFIX = "bl_";

	private static final int MAX_CACHED_KEYS = 100_000;

	private static final int KEY_SECRET_BYTES = 32;

	/** The prefix and the unpadded base64url of the secret. */
	private static final int KEY_LENGTH = KEY_PREFIX.length() + (KEY_SECRET_BYTES * 4 + 2) / 3;

	private final SecureRandom random = new SecureRandom();

	private final ApiKeyRepository keys;

	private final AuditLog audit;

	private final JdbcTemplate jdbc;

	private final Clock clock;

	/** Key hash to the key as last read, or empty for a key that does not exist. */
	private final Cache<String, Optional<ApiKey>> cache = Caffeine.newBuilder()
		.expireAfterWrite(CACHE_TTL)
		.maximumSize(MAX_CACHED_KEYS)
		.build();

	/** Hashes of keys found valid in the last hour (they pass the wrong-key throttle). */
	private final Cache<String, Boolean> recentlyValid = Caffeine.newBuilder()
		.expireAfterWrite(Duration.ofHours(1))
		.maximumSize(MAX_CACHED_KEYS)
		.build();

	/** When this replica last wrote a key's {@code last_used_at}. */
	private final Cache<UUID, Instant> lastUsedWritten = Caffeine.newBuilder()
		.expireAfterWrite(LAST_USED_PRECISION)
		.maximumSize(MAX_CACHED_KEYS)
		.build();

	ApiKeyManagement(ApiKeyRepository keys, AuditLog audit, JdbcTemplate jdbc, Clock clock) {
		this.keys = keys;
		this.audit = audit;
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * A key as its tenant sees it (never its secret).
	 *
	 * @param prefix the key's first characters, which name it
	 * @param revokedAt when it stops (stopped) working after a revocation or rotation
	 */
	public record KeyView(UUID id, String name, String prefix, List<String> scopes, Instant createdAt,
			Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {

		static KeyView of(ApiKey key) {
			return new KeyView(key.getId(), key.getName(), key.getKeyPrefix(),
					key.getScopes().stream().map(Scope::value).toList(), key.getCreatedAt(), key.getExpiresAt(),
					key.getLastUsedAt(), key.getRevokedAt());
		}

	}

	/**
	 * A key just made.
	 *
	 * @param key the key
	 * @param secret the key in clear: this is the only time it is shown
	 */
	public record NewKey(KeyView key, String secret) {
	}

	/**
	 * Makes a key.
	 * @param expiresAt when it stops working, or null for never
	 * @param actor who asks ({@link AuditLog})
	 * @throws ApiException 422 for a bad name, no scopes or a past expiry, 429 past
	 * {@link #MAX_KEYS}
	 */
	@Transactional
	public NewKey create(UUID tenantId, String name, Set<Scope> scopes, Instant expiresAt, String actor) {
		Instant now = this.clock.instant();
		String checked = ApiException.requireText("name", (name != null) ? name.strip() : "", MAX_NAME_LENGTH);
		if (checked.isEmpty()) {
			throw ApiException.invalid("'name' is required");
		}
		if (scopes.isEmpty()) {
			throw ApiException.invalid("'scopes' must name at least one of " + names(Scope.all()));
		}
		if (expiresAt != null && !expiresAt.isAfter(now)) {
			throw ApiException.invalid("'expires_at' must be in the future");
		}
		long held = this.keys.findByTenantIdOrderByCreatedAtAsc(tenantId)
			.stream()
			.filter((key) -> key.isValidAt(now))
			.count();
		if (held >= MAX_KEYS) {
			throw new ApiException(ProblemKind.QUOTA_EXCEEDED,
					"The tenant holds " + held + " keys, the most allowed: revoke one first");
		}
		NewKey made = make(tenantId, checked, scopes, expiresAt, now);
		this.audit.record(actor, tenantId, "api_key.created", made.key().id().toString(),
				"name '" + checked + "', scopes " + names(scopes));
		return made;
	}

	/** Makes a key without checks or audit (a new tenant's first key). */
	NewKey make(UUID tenantId, String name, Set<Scope> scopes, Instant expiresAt, Instant now) {
		byte[] secret = new byte[KEY_SECRET_BYTES];
		this.random.nextBytes(secret);
		String apiKey = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		ApiKey key = this.keys.save(new ApiKey(UUID.randomUUID(), tenantId, hash(apiKey), apiKey.substring(0, 8), name,
				scopes, now, expiresAt));
		log.info("ApiKey(id={}) of tenant {} made: '{}', scopes {}", key.getId(), tenantId, name, names(scopes));
		return new NewKey(KeyView.of(key), apiKey);
	}

	/** A tenant's keys, the revoked ones too, oldest first. */
	@Transactional(readOnly = true)
	public List<KeyView> list(UUID tenantId) {
		return this.keys.findByTenantIdOrderByCreatedAtAsc(tenantId).stream().map(KeyView::of).toList();
	}

	/**
	 * Revokes a key now.
	 * @throws ApiException 404 for another tenant's key or none
	 */
	@Transactional
	public KeyView revoke(UUID tenantId, UUID keyId, String actor) {
		ApiKey key = find(tenantId, keyId);
		key.revokeAt(this.clock.instant());
		this.audit.record(actor, tenantId, "api_key.revoked", keyId.toString(), "name '" + key.getName() + "'");
		return KeyView.of(key);
	}

	/**
	 * Rotates a key: a new key with the same name, scopes and expiry at once; the old one
	 * keeps working for the overlap, then stops.
	 * @throws ApiException 404 for another tenant's key or none, 409 for a key no longer
	 * valid, 422 for an overlap past {@link #MAX_OVERLAP}
	 */
	@Transactional
	public NewKey rotate(UUID tenantId, UUID keyId, Duration overlap, String actor) {
		if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
			throw ApiException.invalid("'overlap_seconds' must be between 0 and " + MAX_OVERLAP.toSeconds());
		}
		Instant now = this.clock.instant();
		ApiKey old = find(tenantId, keyId);
		if (!old.isValidAt(now)) {
			throw new ApiException(ProblemKind.KEY_REVOKED,
					"Key " + keyId + " is revoked or expired: make a new one instead");
		}
		old.revokeAt(now.plus(overlap));
		NewKey successor = make(tenantId, old.getName(), old.getScopes(), old.getExpiresAt(), now);
		this.audit.record(actor, tenantId, "api_key.rotated", keyId.toString(),
				"successor " + successor.key().id() + ", overlap " + overlap.toSeconds() + " s");
		return successor;
	}

	private ApiKey find(UUID tenantId, UUID keyId) {
		return this.keys.findByIdAndTenantId(keyId, tenantId)
			.orElseThrow(() -> ApiException.notFound("API key " + keyId));
	}

	/**
	 * Who an API key is, if it is valid now. Not a transaction of its own: a key of the
	 * wrong form is refused without a query, and a key's row is cached for
	 * {@link #CACHE_TTL}, so only the first request with a key in that second costs a
	 * query.
	 */
	public Optional<Caller> authenticate(String apiKey) {
		if (!isWellFormed(apiKey)) {
			return Optional.empty();
		}
		byte[] hash = hash(apiKey);
		String cacheKey = HexFormat.of().formatHex(hash);
		Instant now = this.clock.instant();
		Optional<ApiKey> found = this.cache.get(cacheKey, (key) -> this.keys.findByKeyHash(hash));
		Optional<Caller> caller = found.filter((key) -> key.isValidAt(now))
			.map((key) -> new Caller(key.getTenantId(), AuditLog.key(key.getId()), key.getScopes()));
		found.filter((key) -> key.isValidAt(now)).ifPresent((key) -> {
			this.recentlyValid.put(cacheKey, Boolean.TRUE);
			used(key.getId(), now);
		});
		return caller;
	}

	/**
	 * Notes that a key was used, at most once a {@link #LAST_USED_PRECISION} per replica.
	 */
	private void used(UUID keyId, Instant now) {
		if (this.lastUsedWritten.getIfPresent(keyId) == null) {
			this.lastUsedWritten.put(keyId, now);
			this.jdbc.update("update api_keys set last_used_at = ? where id = ?", Timestamp.from(now), keyId);
		}
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

	private static String names(Set<Scope> scopes) {
		return scopes.stream().map(Scope::value).sorted().collect(Collectors.joining(" "));
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
