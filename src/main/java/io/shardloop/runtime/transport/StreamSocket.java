package io.shardloop.runtime.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A connected TCP socket driven by its loop's {@link LoopIo}: the transport reads into the loop's
 * read buffer and hands the bytes to {@link SocketEvents#onInput}, and takes outbound bytes with
 * {@link #write}. Reading and waiting for room are switched on and off here; whatever happens, the
 * events arrive on the loop thread.
 * <p>
 * Owned by one connection on its loop's thread; nothing here is thread-safe.
 */
public interface StreamSocket {
    /**
     * Starts delivering events, with reading on: at most {@code readBudget} bytes a wake-up, so one
     * busy connection cannot keep its loop from the others.
     */
    void start(SocketEvents events, int readBudget) throws IOException;

    /** Whether input is delivered. Bytes not read stay in the kernel (TCP then slows the peer down). */
    void reading(boolean on);

    /**
     * Writes as much of the chunks' remaining bytes as the socket takes now, advancing each chunk's
     * position past what was taken (a {@link java.nio.channels.GatheringByteChannel}'s contract).
     *
     * @return bytes taken, 0 when the socket is full
     */
    long write(ByteBuffer[] chunks, int count) throws IOException;

    /** Whether {@link SocketEvents#onWritable} is wanted once the socket has room again. */
    void awaitWritable(boolean on);

    /**
     * Sends a FIN after the bytes already written (shutdown(2) of the writing side): the peer reads
     * the end of its input once it has read everything before it. Reading goes on.
     */
    void shutdownOutput() throws IOException;

    /** Closes the socket; no event follows. Later calls do nothing. */
    void close();

    /** The peer's address; null when it is not known (the socket closed). */
    SocketAddress remoteAddress();

    /** This end's address; null when it is not known. */
    SocketAddress localAddress();
}
