package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.loop.EventLoop;

/** Builds the mailboxes of a group of shards in the configured layout. */
public final class Mailboxes {
    private Mailboxes() {
    }

    /**
     * One mailbox per loop, index for index, connected to each other. The caller adds each to its
     * loop with {@link EventLoop#addWorkSource} before the loops start.
     */
    public static Mailbox[] create(MailboxConfig config, EventLoop[] loops) {
        return switch (config.kind()) {
            case MPSC -> MpscMailbox.create(config, loops);
            case SPSC -> SpscMailbox.create(config, loops);
        };
    }
}
