package io.shardloop.http;

import io.shardloop.http.file.FileReader;
import io.shardloop.http.file.LoopFileReader;
import io.shardloop.http.file.OffloadFileReader;
import io.shardloop.runtime.transport.LoopFiles;
import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.KvShard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * HTTP/1.1 on a shard group: each shard gets its own {@link HttpRoutes} (date cache, counters, file
 * reader, key-value access) and a {@link HttpConnectionHandler} per connection. The protocol object
 * itself holds only the configuration, the key-value cluster (when {@code /kv} is served) and the
 * table of each shard's counters, which any shard may read for {@code /stats}. Files are opened and
 * read on the shard's own ring where its transport has one ({@link LoopFileReader}: io_uring), else
 * on the runtime's offload pool ({@link OffloadFileReader}): nothing here owns a thread.
 */
public final class HttpProtocol implements Protocol {
    private final HttpConfig config;
    private final KvGroup cluster;
    private final Function<Shard, FileReader> fileReaders;
    private final Path realRoot;
    /** Written once per shard as it starts (control plane); the counters inside are single-writer. */
    private final ConcurrentHashMap<Integer, SingleWriterCounters> shardCounters = new ConcurrentHashMap<>();

    /** Plaintext, stats and files; {@code /kv} answers 404. */
    public HttpProtocol(HttpConfig config) {
        this(config, null);
    }

    /** ... and {@code /kv/{key}} over the same data as the Redis protocol, when {@code cluster} is not null. */
    public HttpProtocol(HttpConfig config, KvGroup cluster) {
        this(config, cluster, HttpProtocol::fileReaderFor);
    }

    private static FileReader fileReaderFor(Shard shard) {
        LoopFiles files = shard.io().files();
        return files != null ? new LoopFileReader(files) : new OffloadFileReader(shard);
    }

    /** With another file reader per shard (tests watch the threads with it). */
    HttpProtocol(HttpConfig config, KvGroup cluster, Function<Shard, FileReader> fileReaders) {
        this.config = config;
        this.cluster = cluster;
        this.fileReaders = fileReaders;
        Path root = config.staticRoot();
        if (root == null) {
            this.realRoot = null;
        } else {
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("static root is not a directory: " + root);
            }
            try {
                this.realRoot = root.toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot resolve the static root " + root, e);
            }
        }
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public ConnectionHandler.Factory forShard(Shard shard) {
        SingleWriterCounters counters = new SingleWriterCounters(HttpStats.COUNT);
        shardCounters.put(shard.index(), counters);
        KvShard kv = cluster == null ? null : cluster.forShard(shard);
        HttpRoutes routes = new HttpRoutes(this, shard, counters, fileReaders.apply(shard), kv);
        return connection -> new HttpConnectionHandler(routes, connection);
    }

    /** Keep-alive is the connections' idle timeout: nothing received, sent or owed for that long closes them. */
    @Override
    public ConnectionLimits connectionLimits(ConnectionLimits server) {
        return server.withIdleNanos(config.keepAliveTimeout().toNanos());
    }

    /** The key-value data served at /kv, or null. */
    KvGroup kv() {
        return cluster;
    }

    public HttpConfig config() {
        return config;
    }

    /** The static root with every symlink resolved, or null when no files are served. */
    Path realRoot() {
        return realRoot;
    }

    /** One HTTP counter of one shard (0 before the shard starts). Any thread. */
    public long counter(int shard, int counter) {
        SingleWriterCounters c = shardCounters.get(shard);
        return c == null ? 0 : c.get(counter);
    }
}
