package io.shardloop.runtime.transport;

import io.shardloop.runtime.shard.Transports;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The transport the tests run on: {@link Transports#preferred()}, which the system property
 * {@value Transports#PROPERTY} sets (the build runs the transport contract once per transport).
 */
public final class TestTransports {
    private TestTransports() {
    }

    public static Transport current() {
        return Transports.preferred().transport();
    }

    /** A loop's I/O on the current transport, with a small read buffer. */
    public static LoopIo openLoop() {
        try {
            return current().openLoop("test", 4096);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
