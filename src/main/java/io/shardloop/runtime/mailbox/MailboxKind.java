package io.shardloop.runtime.mailbox;

import java.util.Locale;

/** Which ring layout carries cross-shard messages. */
public enum MailboxKind {
    /** One many-to-one ring per shard: N rings, producers contend on a CAS. See {@link MpscMailbox}. */
    MPSC,
    /** One one-to-one ring per ordered pair of shards: N×(N−1) rings, no CAS, the consumer scans. See {@link SpscMailbox}. */
    SPSC;

    /** Parses "mpsc" or "spsc" (any case). */
    public static MailboxKind parse(String text) {
        for (MailboxKind kind : values()) {
            if (kind.name().equalsIgnoreCase(text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown mailbox kind '" + text + "': expected mpsc or spsc");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
