package dev.batchline.api.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.batchline.api.job.JobLifecycleProperties;
import dev.batchline.api.system.ApiException;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import dev.batchline.contracts.ProblemKind;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code Idempotency-Key} for the POSTs that create, with Stripe's semantics: a retry
 * with the same key and the same body gets the first request's answer (and creates
 * nothing), even while the first is still in flight; the same key with another body is a
 * 422. Keys are scoped (a tenant, or the admin) and remembered for
 * {@code batchline.api.jobs.idempotency-retention}.
 * <p>
 * The key is claimed in the same transaction that creates the resource: a second request
 * with the key waits on the first's row lock until the first commits (then replays its
 * answer) or rolls back (then runs itself). So exactly one resource is ever created.
 */
@Component
public class IdempotencyKeys implements PolledLifecycle {

	/** The request header. */
	public static final String HEADER = "Idempotency-Key";

	/** The response header telling a replayed answer. */
	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private static final int MAX_KEY_LENGTH = 255;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final JsonMapper json;

	private final Clock clock;

	private final Duration retention;

	/** Forgets the keys past their retention, every sweep interval. */
	private final PollLoop cleanup;

	IdempotencyKeys(JdbcTemplate jdbc, TransactionTemplate transactions, JsonMapper json, Clock clock,
			JobLifecycleProperties settings) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.json = json;
		this.clock = clock;
		this.retention = settings.idempotencyRetention();
		Duration sweepInterval = settings.sweepInterval();
		// a loop of its own: the job sweeper is on a floor below this one
		this.cleanup = PollLoop.named("idempotency-keys-cleanup", () -> {
			forgetExpired();
			return false;
		}).pollInterval(sweepInterval).backoff(sweepInterval, sweepInterval).build();
	}

	/**
	 * Runs a creating request once per key: in one transaction, claims the key, runs the
	 * action and stores its answer; or returns the stored answer of the key's first
	 * request.
	 * @param scope whose keys these are (a tenant id, or {@code admin})
	 * @param key the request's {@code Idempotency-Key}, or null to just run the action
	 * @param request the request's method and path
	 * @param body the request's body, or a digest of it; for a streamed body called after
	 * the action has read it, or, for a retry, reading it (it must be compared)
	 * @param action creates the resource and answers; runs inside the transaction
	 * @return the answer
	 */
	public ResponseEntity<?> run(String scope, String key, String request, Supplier<byte[]> body,
			Supplier<ResponseEntity<?>> action) {
		if (key == null) {
			return action.get();
		}
		check(key);
		return this.transactions.execute((status) -> {
			Timestamp now = Timestamp.from(this.clock.instant());
			Timestamp expired = Timestamp.from(this.clock.instant().minus(this.retention));
			// a key past its retention is forgotten: the request runs anew
			this.jdbc.update("delete from idempotency_keys where scope = ? and idempotency_key = ? and created_at < ?",
					scope, key, expired);
			// claimed with the row lock held to the end of this transaction: a concurrent
			// request with the key waits here until this one commits or rolls back
			int claimed = this.jdbc.update("""
					insert into idempotency_keys (scope, idempotency_key, request_hash, created_at)
					values (?, ?, ?, ?)
					on conflict (scope, idempotency_key) do nothing
					""", scope, key, new byte[0], now);
			if (claimed == 0) {
				return replay(scope, key, hash(request, body.get()));
			}
			ResponseEntity<?> answer = action.get();
			URI location = answer.getHeaders().getLocation();
			this.jdbc.update("""
					update idempotency_keys
					set request_hash = ?, response_status = ?, response_location = ?, response_body = ?
					where scope = ? and idempotency_key = ?
					""", hash(request, body.get()), answer.getStatusCode().value(),
					(location != null) ? location.toString() : null, this.json.writeValueAsBytes(answer.getBody()),
					scope, key);
			return answer;
		});
	}

	/**
	 * The answer of a request already made and answered with this key, replayed (422 when
	 * the key came with another request), without running anything or spending the
	 * tenant's limits again.
	 * @return the stored answer, or empty for a new key (or one whose request is running)
	 */
	public Optional<ResponseEntity<?>> answered(String scope, String key, String request, byte[] body) {
		if (key == null) {
			return Optional.empty();
		}
		check(key);
		Integer answered = this.jdbc.queryForObject("""
				select count(*) from idempotency_keys
				where scope = ? and idempotency_key = ? and response_status is not null and created_at >= ?
				""", Integer.class, scope, key, Timestamp.from(this.clock.instant().minus(this.retention)));
		return (answered != null && answered > 0) ? Optional.of(replay(scope, key, hash(request, body)))
				: Optional.empty();
	}

	private static byte[] hash(String request, byte[] body) {
		MessageDigest digest = sha256();
		digest.update((request + "\n").getBytes(StandardCharsets.UTF_8));
		return digest.digest(body);
	}

	private ResponseEntity<?> replay(String scope, String key, byte[] hash) {
		List<Stored> stored = this.jdbc.query("""
				select request_hash, response_status, response_location, response_body from idempotency_keys
				where scope = ? and idempotency_key = ?
				""", (rs, n) -> new Stored(rs.getBytes(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)), scope, key);
		if (stored.isEmpty()) {
			// forgotten in between (retention): the client may simply retry
			throw new ApiException(ProblemKind.IDEMPOTENCY_KEY_IN_USE,
					"A request with this Idempotency-Key is being handled; retry");
		}
		Stored first = stored.get(0);
		if (!MessageDigest.isEqual(first.requestHash(), hash)) {
			throw new ApiException(ProblemKind.IDEMPOTENCY_KEY_REUSED,
					"This Idempotency-Key was used with a different request; use a new key for a new request");
		}
		ResponseEntity.BodyBuilder answer = ResponseEntity.status(first.status())
			.contentType(MediaType.APPLICATION_JSON)
			.header(REPLAYED_HEADER, "true");
		if (first.location() != null) {
			answer.header(HttpHeaders.LOCATION, first.location());
		}
		return answer.body(first.body());
	}

	/** Forgets the keys past their retention; returns how many. */
	public int forgetExpired() {
		return this.jdbc.update("delete from idempotency_keys where created_at < ?",
				Timestamp.from(this.clock.instant().minus(this.retention)));
	}

	private static void check(String key) {
		if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch((c) -> c >= 0x21 && c <= 0x7e)) {
			throw ApiException.badRequest(
					"'Idempotency-Key' must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters without spaces");
		}
	}

	/** A new SHA-256 digest. */
	public static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Stored(byte[] requestHash, int status, String location, byte[] body) {
	}

	@Override
	public PollLoop pollLoop() {
		return this.cleanup;
	}

}
