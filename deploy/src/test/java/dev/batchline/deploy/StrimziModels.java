package dev.batchline.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import tools.jackson.databind.JsonNode;

/**
 * Reads Strimzi resources into Strimzi's own model ({@code io.strimzi:api}, Jackson 2),
 * strictly: the model keeps fields it does not know in a catch-all map (for forward
 * compatibility), which is dropped here, so a field the resource does not have, a wrong
 * type or a value outside an enum (an ACL operation, a resource type) fails.
 */
final class StrimziModels {

	private static final ObjectMapper STRICT = new ObjectMapper()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.registerModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {

			@Override
			public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
					BeanDeserializerBuilder builder) {
				builder.setAnySetter(null);
				return builder;
			}

		}));

	private StrimziModels() {
	}

	/**
	 * Reads one resource.
	 * @param resource the resource (as read from YAML)
	 * @param type its model class
	 * @param <T> its model type
	 * @return the model
	 * @throws com.fasterxml.jackson.core.JsonProcessingException if the resource does not
	 * fit its model
	 */
	static <T> T read(JsonNode resource, Class<T> type) throws com.fasterxml.jackson.core.JsonProcessingException {
		return STRICT.readValue(resource.toString(), type);
	}

}
