package io.shardloop.runtime.transport;

/**
 * A connection accepted and not yet taken by a loop: any loop of the same transport may take it with
 * {@link LoopIo#open} (so an acceptor can hand it to another shard), or it is closed. Owned by one
 * thread at a time; handed over through the loop's task queue.
 */
public interface AcceptedSocket {
    /** Closes the connection unused. */
    void close();
}
