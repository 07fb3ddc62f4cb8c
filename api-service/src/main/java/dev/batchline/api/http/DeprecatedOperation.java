package dev.batchline.api.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler method as a deprecated operation: every answer of it carries the
 * {@link Deprecation}'s headers, and the OpenAPI document marks it deprecated. The dates
 * live in the {@link Deprecation}, not here, so that the code and the docs name one list.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface DeprecatedOperation {

	/** Which deprecation this operation is. */
	Deprecation value();

}
