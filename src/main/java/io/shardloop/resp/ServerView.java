package io.shardloop.resp;

import java.util.List;
import java.util.Map;

/**
 * What INFO and CONFIG GET read of a running Redis-protocol server, whatever its model: the event
 * loops ({@code LoopServerView}, summing every shard's counters) or a thread per connection
 * ({@code BlockingRespProtocol}).
 * <p>
 * Implementations are read from any connection's thread while the server runs: every figure must
 * be safe to read from any thread, and may be a moment old.
 */
public interface ServerView {
    /** When the server started, ms since the epoch (INFO's uptime). */
    long startedMillis();

    /** The port the Redis protocol is served on (INFO's tcp_port): the real one when 0 was asked. */
    int tcpPort();

    /** Fields of its own for INFO's server section, in order (model, shards, state mode). */
    Map<String, String> serverFields();

    long connectedClients();

    /** Redis's maxmemory: bytes past which writes that may grow the data are refused, 0 for none. */
    long maxMemory();

    /** {@code notify-keyspace-events} as Redis renders it (CONFIG GET). */
    String notifyKeyspaceEvents();

    /**
     * Sets {@code notify-keyspace-events} from Redis's class letters, for the whole server (CONFIG
     * SET): null when done, else Redis's error text, {@code Invalid event class character. Use
     * 'Ag$lshzxeKEtmdn'.}
     */
    String notifyKeyspaceEvents(String classes);

    /** Connections allowed at once (CONFIG GET maxclients, INFO's maxclients). */
    long maxClients();

    /** Seconds a client may stay idle before it is closed, 0 for never (CONFIG GET timeout). */
    long idleTimeoutSeconds();

    /** Connections accepted and let in (a refused one is not counted, as in Redis). */
    long connectionsReceived();

    /** Connections refused: over the connection limit, or by protected mode. */
    long rejectedConnections();

    long commandsProcessed();

    /** Bytes of commands received from clients. */
    long netInputBytes();

    /** Bytes of replies written for clients. */
    long netOutputBytes();

    ServerRates rates();

    long keys();

    /** Keys with a time to live. */
    long timedKeys();

    /** The estimate of the time left to keys with a time to live, ms. */
    long averageTtl();

    /** How many numbered databases (SELECT's range, CONFIG GET databases). */
    int databases();

    /** Keys of one database (INFO keyspace). */
    long keys(int db);

    /** Keys with a time to live of one database. */
    long timedKeys(int db);

    /** The estimate of the time left to one database's keys with a time to live, ms. */
    long averageTtl(int db);

    long expiredKeys();

    /** The clients blocked in BLPOP and the others now: CLIENT UNBLOCK and INFO's blocked_clients. */
    io.shardloop.kv.BlockedClients blockedClients();

    /** INFO's pubsub_channels: channels with a subscriber. */
    default long pubsubChannels() {
        return 0;
    }

    /** INFO's pubsub_patterns: patterns with a subscriber. */
    default long pubsubPatterns() {
        return 0;
    }

    /** INFO's pubsubshard_channels: shard channels with a subscriber. */
    default long pubsubShardChannels() {
        return 0;
    }

    /**
     * CONFIG RESETSTAT: INFO's counters (commands, connections received and rejected, network
     * bytes, expired keys, command and error statistics) count from zero again. The counters are
     * their writers' own: a reset takes their values now as the zero the figures are read from.
     */
    void resetStats();

    /** The per-command statistics of every shard (or the server's one), which INFO sums. */
    default List<CommandStats> commandStats() {
        return List.of();
    }

    /** Where INFO's figures count from (CONFIG RESETSTAT). */
    default StatsZero statsZero() {
        return new StatsZero();
    }

    /**
     * CLIENT TRACKING's figures: clients with tracking on, keys and (key, client) items in the
     * tracking tables, BCAST prefixes (INFO's tracking_clients and tracking_total_*).
     */
    default long[] tracking() {
        return new long[4];
    }

    /** What is kept on disk: BGSAVE, SAVE, LASTSAVE, BGREWRITEAOF and INFO persistence; none by default. */
    default io.shardloop.persist.DiskControl disk() {
        return io.shardloop.persist.DiskControl.NONE;
    }

    /**
     * SHUTDOWN through the server's {@link io.shardloop.persist.Shutdown}: {@code outcome} gets its
     * error when the server goes on serving, or null once it stops, on the calling connection's
     * thread. A view of no server saves and stops nothing.
     */
    default void shutdown(int flags, java.util.function.Consumer<String> outcome) {
        new io.shardloop.persist.Shutdown(disk()).request(flags, outcome);
    }

    /** Sections of its own, after Redis's, in INFO's default and all (lower-case names, e.g. "shards"). */
    default List<String> ownSections() {
        return List.of();
    }

    /** The lines of one of {@link #ownSections()}, each "name:value" and CRLF-terminated. */
    default void appendSection(String name, StringBuilder out) {
    }
}
