package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import dev.batchline.contracts.ConsumerGroups;
import dev.batchline.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A secured Kafka for the local broker ({@code ./batchline up --secure}): SASL/SCRAM with
 * one principal per service, and ACLs that let each do only its own part of the flow. The
 * worker cannot write job events, the dispatcher cannot write results, and no client gets
 * in without a password. The passwords are made once and kept in the work folder
 * (owner-only); {@link #acls} is the table docs/security.md prints for an existing
 * cluster.
 */
public final class KafkaSecurity {

	/** The SASL mechanism every client uses. */
	public static final String MECHANISM = "SCRAM-SHA-512";

	private static final int ITERATIONS = 8192;

	/** A service's principal on the broker. */
	public enum Principal {

		/** The api-service. */
		API("batchline-api"),

		/** A worker. */
		WORKER("batchline-worker"),

		/** The webhook dispatcher. */
		DISPATCHER("batchline-dispatcher");

		private final String user;

		Principal(String user) {
			this.user = user;
		}

		/** The SCRAM user name, {@code User:<name>} in ACLs. */
		public String user() {
			return this.user;
		}

	}

	private final Map<Principal, String> passwords;

	private KafkaSecurity(Map<Principal, String> passwords) {
		this.passwords = passwords;
	}

	/** The passwords kept in {@code work/kafka-credentials}, made at the first start. */
	static KafkaSecurity kept(Path work) {
		Path file = work.resolve("kafka-credentials");
		Properties kept = new Properties();
		try {
			Files.createDirectories(work);
			if (Files.exists(file)) {
				try (var in = Files.newBufferedReader(file)) {
					kept.load(in);
				}
			}
			boolean made = false;
			for (Principal principal : Principal.values()) {
				if (kept.getProperty(principal.user()) == null) {
					byte[] random = new byte[24];
					new SecureRandom().nextBytes(random);
					kept.setProperty(principal.user(), HexFormat.of().formatHex(random));
					made = true;
				}
			}
			if (made) {
				if (!Files.exists(file)) {
					Files.createFile(file,
							PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
				}
				try (var out = Files.newBufferedWriter(file)) {
					kept.store(out, "SCRAM passwords of the local broker's principals");
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Map<Principal, String> passwords = new LinkedHashMap<>();
		for (Principal principal : Principal.values()) {
			passwords.put(principal, kept.getProperty(principal.user()));
		}
		return new KafkaSecurity(passwords);
	}

	/** A Kafka client's settings as this principal (for a plain Kafka client). */
	public Map<String, Object> clientConfig(Principal principal) {
		return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM, "sasl.jaas.config",
				jaas(principal));
	}

	/**
	 * The same for a Spring Boot service, as environment
	 * ({@code spring.kafka.properties.*}).
	 */
	Map<String, String> serviceEnv(Principal principal) {
		return Map.of("SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
				"SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", MECHANISM, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
				jaas(principal));
	}

	private String jaas(Principal principal) {
		return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + principal.user()
				+ "\" password=\"" + this.passwords.get(principal) + "\";";
	}

	/**
	 * Makes (or updates) the principals' SCRAM credentials and grants their ACLs.
	 * @param admin an admin client allowed to (the broker's own listener)
	 * @param topics the pipeline's topics
	 */
	void provision(Admin admin, Topics topics) {
		List<UserScramCredentialUpsertion> users = new ArrayList<>();
		this.passwords.forEach((principal, password) -> users.add(new UserScramCredentialUpsertion(principal.user(),
				new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password)));
		try {
			admin.alterUserScramCredentials(List.copyOf(users)).all().get();
			admin.createAcls(acls(topics)).all().get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not make the Kafka principals and ACLs: " + ex.getCause(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Every principal's ACLs: what it reads, writes and in which groups, and
	 * {@code DESCRIBE} of every topic of the pipeline (each service declares them all as
	 * it starts, and the api-service reads every group's lag).
	 * @param topics the pipeline's topics
	 * @return the ACL bindings
	 */
	public static List<AclBinding> acls(Topics topics) {
		List<AclBinding> acls = new ArrayList<>();
		for (Principal principal : Principal.values()) {
			acls.add(allow(principal, ResourceType.TOPIC, topics.prefix() + ".", PatternType.PREFIXED,
					AclOperation.DESCRIBE));
		}
		// the api-service: submissions, control and commands out; results, dead letters,
		// models and endpoint events in
		for (String topic : List.of(topics.chunks(), topics.jobEvents(), topics.control(), topics.webhookCommands(),
				topics.resultsDeadLetter())) {
			acls.add(allow(Principal.API, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
		}
		for (String topic : List.of(topics.results(), topics.chunksDeadLetter(), topics.models(),
				topics.webhookEvents())) {
			acls.add(allow(Principal.API, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
		}
		for (String group : List.of(ConsumerGroups.RECORDERS, ConsumerGroups.DEAD_LETTER_RECORDERS,
				ConsumerGroups.WEBHOOK_ENDPOINT_MANAGERS, ConsumerGroups.API_CATALOG)) {
			acls.add(allow(Principal.API, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ));
		}
		for (String group : List.of(ConsumerGroups.WORKERS, ConsumerGroups.WEBHOOK_DISPATCHERS,
				ConsumerGroups.WEBHOOK_REPLAYERS)) {
			acls.add(allow(Principal.API, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.DESCRIBE));
		}
		// a worker: chunks and control in; results, dead letters and its models out, in
		// transactions of its own
		for (String topic : List.of(topics.chunks(), topics.control())) {
			acls.add(allow(Principal.WORKER, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
		}
		for (String topic : List.of(topics.results(), topics.chunksDeadLetter(), topics.models())) {
			acls.add(allow(Principal.WORKER, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
		}
		acls.add(allow(Principal.WORKER, ResourceType.GROUP, ConsumerGroups.WORKERS, PatternType.LITERAL,
				AclOperation.READ));
		acls.add(allow(Principal.WORKER, ResourceType.TRANSACTIONAL_ID, "batchline-worker-", PatternType.PREFIXED,
				AclOperation.WRITE));
		// the dispatcher: job events and replay commands in, endpoint events out
		for (String topic : List.of(topics.jobEvents(), topics.webhookCommands())) {
			acls.add(allow(Principal.DISPATCHER, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
		}
		acls.add(allow(Principal.DISPATCHER, ResourceType.TOPIC, topics.webhookEvents(), PatternType.LITERAL,
				AclOperation.WRITE));
		for (String group : List.of(ConsumerGroups.WEBHOOK_DISPATCHERS, ConsumerGroups.WEBHOOK_REPLAYERS)) {
			acls.add(allow(Principal.DISPATCHER, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ));
		}
		return acls;
	}

	private static AclBinding allow(Principal principal, ResourceType type, String name, PatternType pattern,
			AclOperation operation) {
		return new AclBinding(new ResourcePattern(type, name, pattern),
				new AccessControlEntry("User:" + principal.user(), "*", operation, AclPermissionType.ALLOW));
	}

}
