package dev.batchline.api.model;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** Labels and splits bound from properties, and bad ones stopping the start. */
class ModelRoutingPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Binding.class);

	@Test
	void bindsLabelsAndASplitOverLabelsAndVersions() {
		this.runner
			.withPropertyValues("batchline.api.models.iris.labels.stable=1",
					"batchline.api.models.iris.labels.canary=2", "batchline.api.models.iris.split.stable=90",
					"batchline.api.models.iris.split.canary=9", "batchline.api.models.iris.split.3=1")
			.run((context) -> {
				ModelRoutingProperties properties = context.getBean(ModelRoutingProperties.class);
				assertThat(properties.routing("iris").labels()).containsEntry("stable", "1")
					.containsEntry("canary", "2");
				assertThat(properties.routing("iris").split()).containsEntry("stable", 90)
					.containsEntry("canary", 9)
					.containsEntry("3", 1);
				assertThat(properties.routing("other").hasSplit()).isFalse();
			});
	}

	@Test
	void aSplitNamingNeitherALabelNorANumericVersionStopsTheStart() {
		assertFailsWith("batchline.api.models.iris.split.canery: 'canery' is neither a label of model 'iris'",
				"batchline.api.models.iris.labels.canary=2", "batchline.api.models.iris.split.canery=10");
	}

	@Test
	void aSplitWithoutWeightOrWithANegativeOneStopsTheStart() {
		assertFailsWith("batchline.api.models.iris.split: the weights add up to 0",
				"batchline.api.models.iris.split.1=0");
		assertFailsWith("batchline.api.models.iris.split.1: a weight is 0 or more, got -5",
				"batchline.api.models.iris.split.1=-5");
	}

	@Test
	void aLabelThatLooksLikeAVersionStopsTheStart() {
		assertFailsWith("batchline.api.models.iris.labels.7: a label starts with a letter",
				"batchline.api.models.iris.labels.7=2");
	}

	private void assertFailsWith(String message, String... properties) {
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ModelRoutingProperties.class)
	static class Binding {

	}

}
