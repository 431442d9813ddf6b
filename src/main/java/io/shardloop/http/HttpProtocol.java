package io.shardloop.http;

import io.shardloop.http.file.FileReader;
import io.shardloop.http.file.PooledFileReader;
import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP/1.1 on a shard group: each shard gets its own {@link HttpRoutes} (date cache, counters) and
 * a {@link HttpConnectionHandler} per connection. The protocol object itself holds only the
 * configuration, the file reader shared by all shards and the table of each shard's counters,
 * which any shard may read for {@code /stats}. Close it after the shard group to stop the file
 * reader's threads.
 */
public final class HttpProtocol implements Protocol, AutoCloseable {
    private final HttpConfig config;
    private final FileReader fileReader;
    private final Path realRoot;
    /** Written once per shard as it starts (control plane); the counters inside are single-writer. */
    private final ConcurrentHashMap<Integer, SingleWriterCounters> shardCounters = new ConcurrentHashMap<>();

    /** Serves files with a {@link PooledFileReader} of {@code config.fileThreads()} threads. */
    public HttpProtocol(HttpConfig config) {
        this(config, PooledFileReader.create(config.fileThreads(), 1024));
    }

    public HttpProtocol(HttpConfig config, FileReader fileReader) {
        this.config = config;
        this.fileReader = fileReader;
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
        HttpRoutes routes = new HttpRoutes(this, shard, counters);
        return connection -> new HttpConnectionHandler(routes, connection);
    }

    public HttpConfig config() {
        return config;
    }

    FileReader fileReader() {
        return fileReader;
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

    @Override
    public void close() {
        fileReader.close();
    }
}
