package io.shardloop.runtime.shard;

import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.offload.OffloadConfig;
import io.shardloop.runtime.stall.StallConfig;
import io.shardloop.runtime.transport.Transport;

import java.time.Duration;
import java.util.List;

/**
 * Every tunable of the runtime, in one place, printed at start-up.
 *
 * @param shards          event loops to run (one per usable CPU by default)
 * @param pin             pin each shard's thread to a CPU of its own
 * @param cpus            the CPUs to pin to, in shard order; empty to take them from the process's
 *                        own affinity mask
 * @param acceptMode      SO_REUSEPORT listener per shard, or one acceptor handing off round-robin
 * @param backlog         listen backlog of each listener
 * @param readBufferSize  the shard's shared read buffer
 * @param chunkSize       size of the pooled outbound chunks
 * @param maxPooledChunks free outbound chunks a shard keeps
 * @param idleSpins       empty turns a loop polls without sleeping before it blocks
 * @param maxConnections  open connections per server (all shards together); excess are closed at once
 * @param drainTimeout    how long shutdown waits for unsent bytes before closing connections
 * @param limits          per-connection limits
 * @param mailbox         cross-shard mailboxes: layout, ring size, batch, backlog bound
 * @param offload         the blocking-work pool: threads and queue bound
 * @param stall           the stall detector: threshold, on/off
 * @param maxClientMemory bytes all connections together may hold (input not yet used, replies not yet
 *                        sent); past it the connections holding the most are closed, largest first
 *                        (Redis's maxmemory-clients); 0 for no such bound
 * @param transport       how the loops do their network I/O ({@link Transports#select})
 */
public record RuntimeConfig(int shards, boolean pin, List<Integer> cpus, AcceptMode acceptMode, int backlog,
                            int readBufferSize, int chunkSize, int maxPooledChunks, int idleSpins,
                            int maxConnections, Duration drainTimeout, ConnectionLimits limits,
                            MailboxConfig mailbox, OffloadConfig offload, StallConfig stall, long maxClientMemory,
                            Transport transport) {
    public RuntimeConfig {
        cpus = List.copyOf(cpus);
        if (transport == null) {
            throw new IllegalArgumentException("a transport is required");
        }
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        if (mailbox == null || offload == null || stall == null) {
            throw new IllegalArgumentException("mailbox, offload and stall configurations are required");
        }
        if (backlog < 1 || readBufferSize < 1024 || chunkSize < 256 || maxPooledChunks < 0 || idleSpins < 0
                || maxConnections < 1 || maxClientMemory < 0) {
            // The parameters, not toString(): the fields are not set yet in a compact constructor.
            throw new IllegalArgumentException("invalid runtime configuration (need backlog >= 1, read buffer >= 1024,"
                    + " chunk >= 256, pooled chunks >= 0, idle spins >= 0, max connections >= 1, client memory >= 0):"
                    + " backlog " + backlog + ", read buffer " + readBufferSize + ", chunk " + chunkSize
                    + ", pooled chunks " + maxPooledChunks + ", idle spins " + idleSpins + ", max connections "
                    + maxConnections + ", client memory " + maxClientMemory);
        }
    }

    /** Defaults for the given number of shards. */
    public static Builder builder(int shards) {
        return new Builder().shards(shards);
    }

    public Builder toBuilder() {
        return new Builder().shards(shards).pin(pin).cpus(cpus).acceptMode(acceptMode).backlog(backlog)
                .readBufferSize(readBufferSize).chunkSize(chunkSize).maxPooledChunks(maxPooledChunks)
                .idleSpins(idleSpins).maxConnections(maxConnections).drainTimeout(drainTimeout).limits(limits)
                .mailbox(mailbox).offload(offload).stall(stall).maxClientMemory(maxClientMemory).transport(transport);
    }

    /** Builds a {@link RuntimeConfig}; starts from the defaults. */
    public static final class Builder {
        private int shards = 1;
        private boolean pin = true;
        private List<Integer> cpus = List.of();
        private AcceptMode acceptMode = AcceptMode.REUSEPORT;
        private int backlog = 1024;
        private int readBufferSize = 64 * 1024;
        private int chunkSize = 16 * 1024;
        private int maxPooledChunks = 1024;
        private int idleSpins = 0;
        private int maxConnections = 100_000;
        private Duration drainTimeout = Duration.ofSeconds(5);
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private MailboxConfig mailbox = MailboxConfig.defaults();
        private OffloadConfig offload = OffloadConfig.defaults();
        private StallConfig stall = StallConfig.defaults();
        /** A quarter of the largest heap the JVM may have. */
        private long maxClientMemory = Runtime.getRuntime().maxMemory() / 4;
        private Transport transport = Transports.preferred().transport();

        public Builder shards(int v) { shards = v; return this; }
        public Builder pin(boolean v) { pin = v; return this; }
        public Builder cpus(List<Integer> v) { cpus = v; return this; }
        public Builder acceptMode(AcceptMode v) { acceptMode = v; return this; }
        public Builder backlog(int v) { backlog = v; return this; }
        public Builder readBufferSize(int v) { readBufferSize = v; return this; }
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        public Builder maxPooledChunks(int v) { maxPooledChunks = v; return this; }
        public Builder idleSpins(int v) { idleSpins = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
        public Builder limits(ConnectionLimits v) { limits = v; return this; }
        public Builder mailbox(MailboxConfig v) { mailbox = v; return this; }
        public Builder offload(OffloadConfig v) { offload = v; return this; }
        public Builder stall(StallConfig v) { stall = v; return this; }
        public Builder maxClientMemory(long v) { maxClientMemory = v; return this; }
        public Builder transport(Transport v) { transport = v; return this; }

        public RuntimeConfig build() {
            return new RuntimeConfig(shards, pin, cpus, acceptMode, backlog, readBufferSize, chunkSize,
                    maxPooledChunks, idleSpins, maxConnections, drainTimeout, limits, mailbox,
                    offload, stall, maxClientMemory, transport);
        }
    }

    /** One line per setting, for the start-up log. */
    public String describe() {
        return "shards=" + shards + " transport=" + transport.name() + " pin=" + pin + (cpus.isEmpty() ? "" : " cpus=" + cpus)
                + " accept=" + acceptMode.name().toLowerCase() + " backlog=" + backlog
                + " read-buffer=" + readBufferSize + " chunk=" + chunkSize + " pooled-chunks=" + maxPooledChunks
                + " idle-spins=" + idleSpins + " max-connections=" + maxConnections
                + " drain-timeout=" + drainTimeout.toMillis() + "ms"
                + " read-budget=" + limits.readBudget() + " high-water=" + limits.highWater()
                + " low-water=" + limits.lowWater() + " hard-limit=" + limits.hardLimit()
                + " max-pending-inbound=" + limits.maxPendingInbound()
                + " client-query-buffer-limit=" + limits.maxInputBytes()
                + " maxmemory-clients=" + maxClientMemory
                + " write-stall-timeout=" + limits.writeStallNanos() / 1_000_000 + "ms"
                + " idle-timeout=" + limits.idleNanos() / 1_000_000 + "ms"
                + " linger-timeout=" + limits.lingerNanos() / 1_000_000 + "ms"
                + " " + mailbox.describe() + " " + offload.describe() + " " + stall.describe();
    }
}
