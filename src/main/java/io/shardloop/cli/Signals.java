package io.shardloop.cli;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM start a graceful shutdown instead of killing the JVM, so the server drains
 * its connections and exits with status 0 (or, when a loop did not stop by the shutdown's
 * deadline, with the status {@code serve} documents for that).
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> action.run());
            } catch (IllegalArgumentException e) {
                // The signal does not exist on this platform, or the JVM reserves it: the default applies.
            }
        }
    }
}
