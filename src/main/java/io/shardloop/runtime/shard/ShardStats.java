package io.shardloop.runtime.shard;

import io.shardloop.runtime.loop.LoopStats;
import io.shardloop.runtime.mailbox.MailboxStats;
import io.shardloop.runtime.net.NetStats;

/**
 * One shard's counters at one moment, read from any thread.
 *
 * @param net     counters indexed by the constants of {@link NetStats}
 * @param mailbox counters indexed by the constants of {@link MailboxStats}
 * @param stalls  stalls the detector reported for this shard
 */
public record ShardStats(int shard, int cpu, long turns, long busyNanos, long[] net, long[] mailbox, long stalls) {
    static ShardStats of(Shard shard) {
        LoopStats loop = shard.loop().stats();
        long[] mailbox = shard.mailbox() == null ? new long[MailboxStats.COUNT] : shard.mailbox().stats().snapshot();
        return new ShardStats(shard.index(), shard.pinnedCpu(), loop.turns(), loop.busyNanos(),
                shard.netStats().snapshot(), mailbox, shard.group().stallDetector().stalls(shard.index()));
    }

    public long mailboxCounter(int mailboxCounter) {
        return mailbox[mailboxCounter];
    }

    public long accepted() {
        return net[NetStats.ACCEPTED];
    }

    public long openConnections() {
        return net[NetStats.ACCEPTED] - net[NetStats.CLOSED];
    }

    public long counter(int netCounter) {
        return net[netCounter];
    }

    /** A one-line summary for logs. */
    public String describe() {
        StringBuilder sb = new StringBuilder("shard-").append(shard)
                .append(cpu < 0 ? " unpinned" : " cpu=" + cpu)
                .append(" turns=").append(turns).append(" busy_ms=").append(busyNanos / 1_000_000)
                .append(" open=").append(openConnections());
        for (int i = 0; i < net.length; i++) {
            sb.append(' ').append(NetStats.name(i)).append('=').append(net[i]);
        }
        return sb.toString();
    }
}
