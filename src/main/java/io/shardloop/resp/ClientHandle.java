package io.shardloop.resp;

import java.net.SocketAddress;

/**
 * One connected client as CLIENT LIST shows it and CLIENT KILL reaches it, whatever the server
 * model: the front end's connection implements it and registers it in its {@link ClientDirectory}.
 * <p>
 * In the event-loop model every method runs on the connection's shard's loop thread (a CLIENT
 * LIST from another shard arrives there as a message). In the thread-per-connection models the
 * figures are read from other connections' threads and may be a moment old; {@link #kill} is
 * thread-safe there.
 */
public interface ClientHandle {
    Session session();

    /** The client's address (addr), or null once closed. */
    SocketAddress remoteAddress();

    /** The server's address the client connected to (laddr), or null once closed. */
    SocketAddress localAddress();

    /** Commands queued since MULTI, or -1 outside one. */
    int queuedInMulti();

    /** Bytes of the client's input read and not yet parsed into a command (qbuf). */
    long queryBufferBytes();

    /** Bytes the connection holds: its buffers, input and output (tot-mem). */
    long memory();

    /** Bytes of replies not yet written to the socket (omem). */
    long outputBytes();

    /** Replies waiting in line behind one still being answered by another shard (oll). */
    int repliesInLine();

    /** Closes the connection now (CLIENT KILL of another client). */
    void kill();

    /** Closes the connection once the replies it is owed are written (a CLIENT KILL that matched its asker). */
    void closeAfterReplies();
}
