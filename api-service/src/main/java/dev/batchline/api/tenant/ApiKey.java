package dev.batchline.api.tenant;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's API key: only the SHA-256 of its secret is kept, with the first characters
 * that name it. A key is valid from its creation until it expires or is revoked
 * ({@code revoked_at} may lie ahead: a rotated key keeps working for the overlap).
 */
@Entity
@Table(name = "api_keys")
class ApiKey {

	@Id
	private UUID id;

	private UUID tenantId;

	private byte[] keyHash;

	private String keyPrefix;

	private String name;

	@JdbcTypeCode(SqlTypes.ARRAY)
	private String[] scopes;

	private Instant createdAt;

	private Instant expiresAt;

	private Instant lastUsedAt;

	private Instant revokedAt;

	protected ApiKey() {
	}

	ApiKey(UUID id, UUID tenantId, byte[] keyHash, String keyPrefix, String name, Set<Scope> scopes, Instant createdAt,
			Instant expiresAt) {
		this.id = id;
		this.tenantId = tenantId;
		this.keyHash = keyHash;
		this.keyPrefix = keyPrefix;
		this.name = name;
		this.scopes = scopes.stream().map(Scope::value).sorted().toArray(String[]::new);
		this.createdAt = createdAt;
		this.expiresAt = expiresAt;
	}

	UUID getId() {
		return this.id;
	}

	UUID getTenantId() {
		return this.tenantId;
	}

	String getKeyPrefix() {
		return this.keyPrefix;
	}

	String getName() {
		return this.name;
	}

	Set<Scope> getScopes() {
		return Arrays.stream(this.scopes)
			.flatMap((value) -> Scope.of(value).stream())
			.collect(Collectors.toCollection(() -> EnumSet.noneOf(Scope.class)));
	}

	Instant getCreatedAt() {
		return this.createdAt;
	}

	Instant getExpiresAt() {
		return this.expiresAt;
	}

	Instant getLastUsedAt() {
		return this.lastUsedAt;
	}

	Instant getRevokedAt() {
		return this.revokedAt;
	}

	/** Whether the key is valid at a moment: not expired, not revoked. */
	boolean isValidAt(Instant now) {
		return (this.expiresAt == null || now.isBefore(this.expiresAt))
				&& (this.revokedAt == null || now.isBefore(this.revokedAt));
	}

	/** Revokes the key at a moment (now, or at the end of a rotation's overlap). */
	void revokeAt(Instant at) {
		if (this.revokedAt == null || at.isBefore(this.revokedAt)) {
			this.revokedAt = at;
		}
	}

}
