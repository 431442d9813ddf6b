package io.shardloop.runtime.loop;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that the test provokes failures on event-loop threads on purpose. {@link LoopFailureExtension}
 * then passes the test only if at least one failure of each listed type was caught on its loops and
 * every failure caught is of a listed type (a subclass counts). After the test it waits up to
 * {@link #waitMillis()} for the listed ones to arrive.
 * <pre>{@code
 * @Test
 * @ExpectLoopFailures(IllegalStateException.class)
 * void shouldCloseOnlyTheConnectionWhoseHandlerThrew() { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ExpectLoopFailures {
    Class<? extends Throwable>[] value();

    /** How long after the test to wait for the listed failures to be caught. */
    long waitMillis() default 10_000;
}
