package io.shardloop.runtime.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/** What a {@link StreamSocket} tells its connection, always on the loop thread. */
public interface SocketEvents {
    /**
     * Bytes arrived, in a buffer of the transport's (read mode) that is valid only during the call:
     * what the connection does not consume it must copy.
     */
    void onInput(ByteBuffer bytes);

    /** The peer shut its side; no more input follows. */
    void onInputEnd();

    /** The socket has room again ({@link StreamSocket#awaitWritable} was on). */
    void onWritable();

    /** Reading failed (a reset): the socket is unusable and the connection closes it. */
    void onIoFailure(IOException failure);
}
