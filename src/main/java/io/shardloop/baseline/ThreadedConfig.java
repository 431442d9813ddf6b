package io.shardloop.baseline;

import io.shardloop.runtime.net.ConnectionLimits;

import java.time.Duration;

/**
 * Every tunable of a thread-per-connection server, in one place.
 *
 * @param model          {@link ServerModel#THREADS} or {@link ServerModel#VIRTUAL}
 * @param bind           address to listen on
 * @param port           port to listen on (0: any free port)
 * @param backlog        listen backlog
 * @param maxConnections connections open at once; one more is closed as soon as it is accepted
 * @param readBuffer     bytes read from a socket at a time (grows to hold one long inline line)
 * @param flushAt        reply bytes gathered before they are written even with more requests pending
 * @param drainTimeout   on close, how long connections get to finish and send what they owe
 * @param linger         how long a connection the server ends keeps reading and dropping what its
 *                       client still sends, after a FIN, so the last reply is not lost to a reset
 *                       (as {@link io.shardloop.runtime.net.ConnectionLimits#lingerNanos()}); 0: none
 */
public record ThreadedConfig(ServerModel model, String bind, int port, int backlog, int maxConnections,
                             int readBuffer, int flushAt, Duration drainTimeout, Duration linger) {
    public ThreadedConfig {
        if (!model.threaded()) {
            throw new IllegalArgumentException("a threaded server needs --model threads or virtual, not " + model.label());
        }
        if (port < 0 || port > 65535 || backlog < 1 || maxConnections < 1 || readBuffer < 256 || flushAt < 256
                || drainTimeout.isNegative() || linger.isNegative()) {
            // The parameters, not toString(): the fields are not set yet in a compact constructor.
            throw new IllegalArgumentException("invalid threaded server configuration (need port 0..65535, backlog,"
                    + " max connections >= 1, read buffer and flush-at >= 256, drain and linger >= 0): port " + port
                    + ", backlog " + backlog + ", max connections " + maxConnections + ", read buffer " + readBuffer
                    + ", flush-at " + flushAt + ", drain " + drainTimeout + ", linger " + linger);
        }
    }

    /** 16 KiB reads, replies written at 64 KiB or when the input runs dry, 5 s drain, the event loops' linger. */
    public static ThreadedConfig defaults(ServerModel model, String bind, int port) {
        return new ThreadedConfig(model, bind, port, 1024, 100_000, 16 * 1024, 64 * 1024, Duration.ofSeconds(5),
                Duration.ofNanos(ConnectionLimits.DEFAULT_LINGER_NANOS));
    }

    public ThreadedConfig withPort(int newPort) {
        return new ThreadedConfig(model, bind, newPort, backlog, maxConnections, readBuffer, flushAt, drainTimeout, linger);
    }

    public ThreadedConfig withLimits(int newBacklog, int newMaxConnections, Duration newDrainTimeout, Duration newLinger) {
        return new ThreadedConfig(model, bind, port, newBacklog, newMaxConnections, readBuffer, flushAt, newDrainTimeout,
                newLinger);
    }

    public String describe() {
        return "model=" + model.label() + " backlog=" + backlog + " max-connections=" + maxConnections
                + " read-buffer=" + readBuffer + " flush-at=" + flushAt + " drain=" + drainTimeout.toMillis() + "ms";
    }
}
