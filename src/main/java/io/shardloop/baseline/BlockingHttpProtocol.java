package io.shardloop.baseline;

import io.shardloop.http.codec.HttpLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP/1.1 served by a thread per connection, with the event-loop server's parser: {@code GET|HEAD
 * /plaintext} answers "Hello, World!" exactly as the event-loop server does; other methods there
 * get 405, any other path 404. Static files, /stats and /metrics are served by the event-loop
 * server only: this one exists to measure the threading model, not to be a second web server.
 * <p>
 * Thread-safe: only the request counter is shared.
 */
public final class BlockingHttpProtocol implements BlockingProtocol {
    private final HttpLimits limits;
    private final int readBuffer;
    private final int flushAt;
    private final LongAdder requests = new LongAdder();

    public BlockingHttpProtocol(ThreadedConfig config, HttpLimits limits) {
        this.limits = limits;
        this.readBuffer = config.readBuffer();
        this.flushAt = config.flushAt();
    }

    @Override
    public String name() {
        return "http";
    }

    public long requests() {
        return requests.sum();
    }

    void onRequests(long n) {
        requests.add(n);
    }

    int flushAt() {
        return flushAt;
    }

    @Override
    public void serve(InputStream in, OutputStream out, long connectionId, SocketAddress peer, SocketAddress local)
            throws IOException {
        new BlockingHttpConnection(this, limits, readBuffer).serve(in, out);
    }
}
