package dev.batchline.api.graphql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.batchline.contracts.EventCodec;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The {@code JSON} scalar: any JSON value, as the cores take and give it (a Jackson
 * {@link JsonNode}), so an item reaches {@code JobManagement} as a REST body's item does.
 * Written out as plain maps and lists, whichever JSON encoder writes the response.
 */
final class JsonScalar implements Coercing<JsonNode, Object> {

	static final GraphQLScalarType TYPE = GraphQLScalarType.newScalar()
		.name("JSON")
		.description("Any JSON value")
		.coercing(new JsonScalar())
		.build();

	private JsonScalar() {
	}

	@Override
	public Object serialize(Object value, GraphQLContext context, Locale locale) {
		return (value instanceof JsonNode node) ? EventCodec.mapper().convertValue(node, Object.class) : value;
	}

	@Override
	public JsonNode parseValue(Object input, GraphQLContext context, Locale locale) {
		try {
			return EventCodec.mapper().valueToTree(input);
		}
		catch (JacksonException ex) {
			throw new CoercingParseValueException("not a JSON value: " + ex.getOriginalMessage());
		}
	}

	@Override
	public JsonNode parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
		return EventCodec.mapper().valueToTree(literal(input, variables));
	}

	/** An inline value of the query as the plain Java value a variable would be. */
	private static Object literal(Value<?> input, CoercedVariables variables) {
		return switch (input) {
			case NullValue ignored -> null;
			case StringValue string -> string.getValue();
			case BooleanValue bool -> bool.isValue();
			case IntValue integer -> integer.getValue();
			case FloatValue decimal -> decimal.getValue();
			case EnumValue name -> name.getName();
			case VariableReference variable -> variables.get(variable.getName());
			case ArrayValue array -> {
				List<Object> values = new ArrayList<>();
				array.getValues().forEach((value) -> values.add(literal(value, variables)));
				yield values;
			}
			case ObjectValue object -> {
				Map<String, Object> fields = new LinkedHashMap<>();
				object.getObjectFields()
					.forEach((field) -> fields.put(field.getName(), literal(field.getValue(), variables)));
				yield fields;
			}
			default -> throw new CoercingParseLiteralException("not a JSON value: " + input);
		};
	}

}
