package io.shardloop.runtime.loop;

import java.util.Objects;

/**
 * The process-wide {@link LoopFailureHandler} and the policy it applies, like the JDK's default
 * uncaught-exception handler: every loop reports to the handler installed when the failure happens.
 * <p>
 * <b>Policy.</b> An {@link Exception} (a {@link RuntimeException} in practice) is the failure of the
 * code that threw it: it is reported and the loop goes on (a {@code Connection} whose handler threw
 * is closed by the connection itself). Anything else (an {@link Error}: {@link OutOfMemoryError},
 * {@link StackOverflowError}, {@link AssertionError}, ...) is fatal: the heap, a stack or an
 * invariant is broken, the loop's state cannot be trusted, and neither can a graceful shutdown run
 * by that same state. The default handler, {@link HaltOnError}, ends the process.
 */
public final class LoopFailures {
    private static volatile LoopFailureHandler handler = HaltOnError.INSTANCE;

    private LoopFailures() {
    }

    /** The handler loops report to now. */
    public static LoopFailureHandler handler() {
        return handler;
    }

    /**
     * Replaces the process-wide handler (tests install a recording one) and returns the one it
     * replaced. Loops running now report to the new one from their next failure on.
     */
    public static LoopFailureHandler setHandler(LoopFailureHandler replacement) {
        LoopFailureHandler previous = handler;
        handler = Objects.requireNonNull(replacement, "handler");
        return previous;
    }

    /** Whether a loop must stop after this failure: true for anything that is not an {@link Exception}. */
    public static boolean isFatal(Throwable failure) {
        return !(failure instanceof Exception);
    }
}
