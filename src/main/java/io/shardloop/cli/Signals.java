package io.shardloop.cli;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM start a graceful shutdown instead of killing the JVM (once the server runs,
 * as SHUTDOWN without arguments: a save first when save points are set), so the server drains its
 * connections and exits with status 0 (or, when a loop did not stop by the shutdown's deadline,
 * with the status {@code serve} documents for that). A handler set later replaces the one before.
 */
final class Signals {
    private Signals() {
    }

    /** @param action gets the signal's name, INT or TERM, on the JVM's signal thread */
    static void onTermination(java.util.function.Consumer<String> action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> action.accept(signal.getName()));
            } catch (IllegalArgumentException e) {
                // The signal does not exist on this platform, or the JVM reserves it: the default applies.
            }
        }
    }
}
