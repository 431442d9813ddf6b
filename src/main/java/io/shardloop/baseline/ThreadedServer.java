package io.shardloop.baseline;

import io.shardloop.runtime.shard.BindFailures;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-per-connection server: one acceptor thread, and a thread (platform or virtual, by
 * {@link ServerModel}) for each accepted connection, which runs the {@link BlockingProtocol} with
 * blocking java.net streams. The baseline the event loops are measured against.
 * <pre>
 *   acceptor: accept ─▶ over max-connections? close it at once
 *                     └▶ start a connection thread: protocol.serve(in, out) ─▶ close the socket
 *   close():  close the listener ─▶ shut down every connection's input (its read returns end of input,
 *             it sends what it owes and ends) ─▶ wait up to the drain timeout ─▶ close what is left
 * </pre>
 * Thread-safe: the open sockets are a concurrent set, written by the acceptor and by each
 * connection thread for its own socket; {@link #close()} may run on any thread.
 */
public final class ThreadedServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ThreadedServer.class.getName());

    private final ThreadedConfig config;
    private final BlockingProtocol protocol;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Thread.Builder connectionThreads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closing;

    private ThreadedServer(ThreadedConfig config, BlockingProtocol protocol) throws IOException {
        this.config = config;
        this.protocol = protocol;
        this.connectionThreads = config.model().connectionThreads(protocol.name() + "-conn");
        this.listener = new ServerSocket();
        InetSocketAddress address = new InetSocketAddress(config.bind(), config.port());
        try {
            listener.setReuseAddress(true);
            listener.bind(address, config.backlog());
        } catch (BindException e) {
            listener.close();
            throw BindFailures.classify(address, e);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        this.acceptor = Thread.ofPlatform().name(protocol.name() + "-acceptor").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Binds and starts accepting.
     *
     * @throws io.shardloop.runtime.shard.PortInUseException when the port is taken
     * @throws io.shardloop.runtime.shard.AddressUnavailableException when the address is not this machine's
     */
    public static ThreadedServer start(ThreadedConfig config, BlockingProtocol protocol) throws IOException {
        ThreadedServer server = new ThreadedServer(config, protocol);
        protocol.onListening(server.port());
        server.acceptor.start();
        return server;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public BlockingProtocol protocol() {
        return protocol;
    }

    public int openConnections() {
        return open.size();
    }

    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections closed at once because {@code max-connections} were already open. */
    public long refusedConnections() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed on " + protocol.name() + ": " + e);
                }
                continue; // the listener is closed when closing; the loop ends there
            }
            if (open.size() >= config.maxConnections() || closing) {
                refused.incrementAndGet();
                protocol.onRefused();
                closeQuietly(socket);
                continue;
            }
            long id = accepted.incrementAndGet();
            open.add(socket);
            // Checked again after adding: close() may have swept the set just before this socket joined it.
            if (closing) {
                open.remove(socket);
                closeQuietly(socket);
                continue;
            }
            connectionThreads.start(() -> serve(socket, id));
        }
    }

    /**
     * As an event loop's connection does on close (see {@link io.shardloop.runtime.net.Connection}): a
     * FIN after the last reply, then what the client still sends is read and dropped until its FIN or
     * the linger time, so unread input does not make the close a reset that destroys the reply.
     */
    private void linger(Socket socket) throws IOException {
        long lingerNanos = config.linger().toNanos();
        if (lingerNanos == 0 || closing || socket.isInputShutdown()) {
            return;
        }
        socket.shutdownOutput();
        long deadline = System.nanoTime() + lingerNanos;
        byte[] dropped = new byte[16 * 1024];
        InputStream in = socket.getInputStream();
        try {
            for (long left = lingerNanos; left > 0; left = deadline - System.nanoTime()) {
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                if (in.read(dropped) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // Lingered long enough: the close below may reset a client that is still sending.
        }
    }

    private void serve(Socket socket, long id) {
        try {
            socket.setTcpNoDelay(true);
            protocol.serve(socket.getInputStream(), socket.getOutputStream(), id, socket.getRemoteSocketAddress(),
                    socket.getLocalSocketAddress());
            linger(socket);
        } catch (SocketException e) {
            // Reset by the peer, or closed by close() after the drain timeout: nothing to report.
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, protocol.name() + " connection " + id + " failed: " + e);
        } finally {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    /**
     * Stops accepting, lets every connection finish what it has read (its next read sees the end of
     * input), waits up to the drain timeout, then closes the sockets still open.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        closeQuietly(listener);
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : open) {
            try {
                s.shutdownInput();
            } catch (IOException e) {
                // Already closed by its own thread.
            }
        }
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        protocol.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing is best effort here; the socket is gone either way.
        }
    }
}
