package io.shardloop.server;

import java.util.Locale;

/** A wire protocol a {@link Server} can serve, each on a port of its own. */
public enum ServedProtocol {
    /** The Redis protocol (RESP2) over the key-value store. */
    RESP,
    /** HTTP/1.1: /plaintext, /metrics, /stats, /kv over the same store, and static files. */
    HTTP,
    /** Echo: every byte received is sent back (the event-loop model only). */
    ECHO;

    /** Whether it serves the key-value store (and so needs one). */
    public boolean servesData() {
        return this != ECHO;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "resp", "http" or "echo", any case. */
    public static ServedProtocol parse(String text) {
        for (ServedProtocol p : values()) {
            if (p.label().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "' (known: resp, http, echo)");
    }
}
