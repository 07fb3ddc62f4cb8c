package dev.batchline.api.model;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import dev.batchline.api.model.ModelRoutingProperties.Routing;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Routing by version, label and split, and which announcements count as served: fresh
 * ones, until a tombstone or their expiry.
 */
class ModelCatalogTests {

	private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

	private static final Duration EXPIRE_AFTER = Duration.ofSeconds(30);

	private final MutableClock clock = new MutableClock(NOW);

	@Test
	void versionsOfDigitsOrderAsNumbersHoweverLongAndAfterTheOthersInTextOrder() {
		assertThat(
				java.util.stream.Stream.of("10", "9", "b", "0010x", "a", "123456789012345678901234567890", "99", "-1")
					.sorted(ModelCatalog.VERSION_ORDER))
			.containsExactly("-1", "0010x", "a", "b", "9", "10", "99", "123456789012345678901234567890");
		assertThat(ModelCatalog.VERSION_ORDER.compare("007", "7")).isZero();
		assertThat(ModelCatalog.VERSION_ORDER.compare("0", "00")).isZero();
	}

	@Test
	void aModelNamedAloneWithoutASplitGoesToItsNewestServedVersion() {
		ModelCatalog catalog = catalog(Map.of());
		catalog.add(announced("iris", "2", "w1", NOW));
		catalog.add(announced("iris", "10", "w1", NOW));
		assertThat(catalog.route("iris", null)).hasValueSatisfying((route) -> {
			assertThat(route.version()).isEqualTo("10");
			assertThat(route.label()).isNull();
		});
		assertThat(catalog.route("nope", null)).isEmpty();
	}

	@Test
	void aVersionOrALabelPinsTheVersionAndALabelWhoseVersionIsNotServedIsNotServed() {
		ModelCatalog catalog = catalog(Map.of("iris",
				new Routing(Map.of("stable", "1", "canary", "2", "next", "3"), Map.of("stable", 90, "canary", 10))));
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.add(announced("iris", "2", "w2", NOW));
		assertThat(catalog.route("iris", "canary")).hasValueSatisfying((route) -> {
			assertThat(route.version()).isEqualTo("2");
			assertThat(route.label()).isEqualTo("canary");
		});
		assertThat(catalog.route("iris", "1")).hasValueSatisfying((route) -> {
			assertThat(route.version()).isEqualTo("1");
			assertThat(route.label()).isNull();
		});
		assertThat(catalog.route("iris", "next")).isEmpty();
		assertThat(catalog.route("iris", "3")).isEmpty();
		assertThat(catalog.route("iris", "beta")).isEmpty();
	}

	@Test
	void theSplitConvergesToItsWeights() {
		ModelCatalog catalog = catalog(
				Map.of("iris", new Routing(Map.of("stable", "1", "canary", "2"), Map.of("stable", 90, "canary", 10))));
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.add(announced("iris", "2", "w2", NOW));
		Map<String, Integer> picked = pick(catalog, 100_000);
		assertThat(picked).containsOnlyKeys("stable", "canary");
		assertThat(picked.get("canary") / 100_000.0).isCloseTo(0.10, within(0.005));
		assertThat(picked.get("stable") / 100_000.0).isCloseTo(0.90, within(0.005));
	}

	@Test
	void aSplitOverVersionsAndLabelsSkipsTheVersionsNotServed() {
		ModelCatalog catalog = catalog(
				Map.of("iris", new Routing(Map.of("canary", "3"), Map.of("1", 50, "2", 30, "canary", 20))));
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.add(announced("iris", "3", "w3", NOW));
		Map<String, Integer> picked = pick(catalog, 50_000);
		assertThat(picked).containsOnlyKeys("1", "canary");
		// 50 : 20 of what is served
		assertThat(picked.get("1") / 50_000.0).isCloseTo(50.0 / 70, within(0.01));
		catalog.withdraw(ModelDeployed.key("iris", "1", "w1"));
		catalog.withdraw(ModelDeployed.key("iris", "3", "w3"));
		catalog.add(announced("iris", "4", "w4", NOW));
		// version 4 is served, but the split names none that is
		assertThat(catalog.route("iris", null)).isEmpty();
		assertThat(catalog.route("iris", "4")).isPresent();
	}

	@Test
	void aWorkersVersionsExpireWithoutHeartbeatsAndAnotherWorkerKeepsThemServed() {
		ModelCatalog catalog = catalog(Map.of());
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.add(announced("iris", "1", "w2", NOW.plusSeconds(20)));
		catalog.add(announced("iris", "2", "w1", NOW));
		assertThat(catalog.workers("iris", "1")).hasSize(2);
		this.clock.set(NOW.plus(EXPIRE_AFTER).plusSeconds(1));
		assertThat(catalog.workers("iris", "1")).hasSize(1);
		assertThat(catalog.find("iris", "1")).map(ModelDeployed::workerId).hasValue("w2");
		assertThat(catalog.find("iris", "2")).isEmpty();
		assertThat(catalog.route("iris", null)).map(ModelRoute::version).hasValue("1");
		this.clock.set(NOW.plusSeconds(20).plus(EXPIRE_AFTER).plusSeconds(1));
		assertThat(catalog.names()).isEmpty();
		assertThat(catalog.versions("iris")).isEmpty();
		// a heartbeat brings it back
		catalog.add(announced("iris", "2", "w1", this.clock.instant()));
		assertThat(catalog.names()).containsExactly("iris");
		assertThat(catalog.route("iris", null)).map(ModelRoute::version).hasValue("2");
	}

	@Test
	void whileTheCatalogCannotReachKafkaItsAnnouncementsDoNotExpire() {
		ModelCatalog catalog = catalog(Map.of());
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.contact(NOW);
		// no record and no answer from the broker for a minute: cut off, not expired
		this.clock.set(NOW.plusSeconds(60));
		assertThat(catalog.find("iris", "1")).isPresent();
		// Kafka is back (the broker answers every 5 s): the worker has expire-after to
		// announce again
		for (int second = 60; second <= 90; second += 5) {
			this.clock.set(NOW.plusSeconds(second));
			catalog.contact(this.clock.instant());
		}
		assertThat(catalog.find("iris", "1")).isPresent();
		this.clock.set(NOW.plusSeconds(91));
		catalog.contact(this.clock.instant());
		assertThat(catalog.find("iris", "1")).isEmpty();
	}

	@Test
	void aWorkerThatFallsSilentWhileKafkaAnswersExpires() {
		ModelCatalog catalog = catalog(Map.of());
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.contact(NOW);
		for (int second = 5; second <= 35; second += 5) {
			this.clock.set(NOW.plusSeconds(second));
			catalog.contact(this.clock.instant());
		}
		assertThat(catalog.find("iris", "1")).isEmpty();
	}

	@Test
	void aTombstoneWithdrawsOneWorkersVersionOnly() {
		ModelCatalog catalog = catalog(Map.of());
		catalog.add(announced("iris", "1", "w1", NOW));
		catalog.add(announced("iris", "1", "w2", NOW));
		catalog.withdraw(ModelDeployed.key("iris", "1", "w1"));
		assertThat(catalog.versions("iris")).extracting(ModelDeployed::workerId).containsExactly("w2");
		catalog.withdraw(ModelDeployed.key("iris", "1", "w2"));
		catalog.withdraw(ModelDeployed.key("iris", "1", "never-seen"));
		assertThat(catalog.find("iris", "1")).isEmpty();
		assertThat(catalog.names()).isEmpty();
	}

	@Test
	void anAnnouncementWithoutHeartbeatsCountsUntilItsTombstone() {
		ModelCatalog catalog = catalog(Map.of());
		ModelDeployed legacy = Fixtures.irisDeployed();
		catalog.add(legacy);
		this.clock.set(NOW.plus(Duration.ofDays(365)));
		assertThat(catalog.find("iris", "1")).hasValue(legacy);
		assertThat(catalog.workers("iris", "1")).hasSize(1);
		catalog.withdraw("iris:1");
		assertThat(catalog.find("iris", "1")).isEmpty();
	}

	private ModelCatalog catalog(Map<String, Routing> models) {
		return new ModelCatalog(new ModelRoutingProperties(models), new ModelCatalogProperties(EXPIRE_AFTER),
				this.clock, new Random(42));
	}

	/** How often each label (or version, for an entry without one) is picked. */
	private static Map<String, Integer> pick(ModelCatalog catalog, int times) {
		Map<String, Integer> picked = new HashMap<>();
		for (int i = 0; i < times; i++) {
			ModelRoute route = catalog.route("iris", null).orElseThrow();
			picked.merge((route.label() != null) ? route.label() : route.version(), 1, Integer::sum);
		}
		return picked;
	}

	private static ModelDeployed announced(String name, String version, String worker, Instant at) {
		return new ModelDeployed(name, version, Fixtures.IRIS, 256, at, worker, at, "sha256:" + version, null);
	}

	private static final class MutableClock extends Clock {

		private volatile Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		void set(Instant now) {
			this.now = now;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
