package io.shardloop.runtime.mailbox;

import org.agrona.DirectBuffer;

/**
 * Handles the messages that arrive at a shard, on that shard's loop thread. The payload is read in
 * place from the ring: copy what must outlive the call.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @param correlationId 0 for a one-way message; otherwise answer with
     *                      {@link Mailbox#reply(int, long, int, DirectBuffer, int, int)} to {@code sourceShard}
     */
    void onMessage(int type, int sourceShard, long correlationId, DirectBuffer buffer, int offset, int length);
}
