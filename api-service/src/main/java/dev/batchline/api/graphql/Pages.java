package dev.batchline.api.graphql;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import dev.batchline.api.system.ApiException;
import graphql.relay.Connection;
import graphql.relay.DefaultConnection;
import graphql.relay.DefaultConnectionCursor;
import graphql.relay.DefaultEdge;
import graphql.relay.DefaultPageInfo;
import graphql.relay.Edge;

/**
 * What the resolvers share: arguments checked as REST checks its parameters, and cursor
 * connections (graphql-java's Relay types) built from the cores' pages.
 */
final class Pages {

	private Pages() {
	}

	/** {@code first}, 1..100 as REST's {@code limit}, or 400. */
	static int first(Integer first) {
		if (first == null || first < 1 || first > GraphQlLimits.MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'first' must be between 1 and " + GraphQlLimits.MAX_PAGE_SIZE);
		}
		return first;
	}

	/** An id argument, or 400 naming it. */
	static UUID id(String argument, String value) {
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("'" + argument + "' must be a UUID");
		}
	}

	/**
	 * A page of nodes as a connection.
	 * @param nodes the page
	 * @param cursor each node's cursor: the place just after it
	 * @param after the cursor the page was asked after, or null for the first page
	 * @param hasNext whether another page follows
	 */
	static <T> Connection<T> connection(List<T> nodes, Function<T, String> cursor, String after, boolean hasNext) {
		List<Edge<T>> edges = new ArrayList<>(nodes.size());
		nodes.forEach((node) -> edges.add(new DefaultEdge<>(node, new DefaultConnectionCursor(cursor.apply(node)))));
		return new DefaultConnection<>(edges, new DefaultPageInfo(edges.isEmpty() ? null : edges.get(0).getCursor(),
				edges.isEmpty() ? null : edges.get(edges.size() - 1).getCursor(), after != null, hasNext));
	}

}
