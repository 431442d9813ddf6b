package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpMethod;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.http.file.FileReader;
import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.kv.KvShard;

import java.nio.charset.StandardCharsets;

/**
 * The routes of one shard, and what its connections share: the {@code Date} cache, the counters,
 * the file reader and the key-value route.
 * <pre>
 *   GET|HEAD /plaintext     "Hello, World!" (nothing allocated)
 *   GET|HEAD /stats         every shard's counters as JSON
 *   GET|HEAD /metrics       the same in Prometheus text format, label shard
 *   GET|HEAD /static/PATH   a file under the root (see {@link FileExchange})
 *   GET|HEAD|PUT|DELETE /kv/KEY   the key-value data, when served (see {@link KvRoute})
 *   other methods on those  405 with Allow; any other path 404
 * </pre>
 * Owned by one shard, on its loop thread.
 */
final class HttpRoutes {
    private static final byte[] PLAINTEXT = Bytes.ascii("/plaintext");
    private static final byte[] STATS = Bytes.ascii("/stats");
    private static final byte[] METRICS = Bytes.ascii("/metrics");
    private static final byte[] STATIC = Bytes.ascii("/static/");
    private static final byte[] HELLO = Bytes.ascii("Hello, World!");
    private static final byte[] ALLOW = Bytes.ascii("Allow");
    private static final byte[] IF_NONE_MATCH = Bytes.ascii("if-none-match");
    private static final byte[] IF_MODIFIED_SINCE = Bytes.ascii("if-modified-since");
    private static final byte[] RANGE = Bytes.ascii("range");

    private final HttpProtocol protocol;
    private final Shard shard;
    private final SingleWriterCounters counters;
    private final HttpDate date = new HttpDate();
    private final FileReader fileReader;
    /** Null when no key-value cluster is served: {@code /kv} is then an unknown path. */
    private final KvRoute kv;

    HttpRoutes(HttpProtocol protocol, Shard shard, SingleWriterCounters counters, FileReader fileReader, KvShard kv) {
        this.protocol = protocol;
        this.shard = shard;
        this.counters = counters;
        this.fileReader = fileReader;
        this.kv = kv == null ? null : new KvRoute(this, kv);
    }

    FileReader fileReader() {
        return fileReader;
    }

    KvRoute kv() {
        return kv;
    }

    HttpConfig config() {
        return protocol.config();
    }

    HttpProtocol protocol() {
        return protocol;
    }

    Shard shard() {
        return shard;
    }

    SingleWriterCounters counters() {
        return counters;
    }

    byte[] date() {
        return date.now();
    }

    /** Answers one request, now or later, through the handler's place in line {@code seq}. */
    void dispatch(HttpConnectionHandler h, HttpRequest req, long seq, boolean keepAlive) {
        counters.increment(HttpStats.REQUESTS);
        HttpMethod m = req.method();
        boolean readOnly = m == HttpMethod.GET || m == HttpMethod.HEAD;
        boolean head = m == HttpMethod.HEAD;
        if (req.pathEquals(PLAINTEXT)) {
            if (readOnly) {
                h.respond(seq, 200, ResponseWriter.TEXT_PLAIN, HELLO, req.minorVersion(), keepAlive, head);
            } else {
                methodNotAllowed(h, req, seq, keepAlive);
            }
        } else if (req.pathEquals(STATS) || req.pathEquals(METRICS)) {
            if (!readOnly) {
                methodNotAllowed(h, req, seq, keepAlive);
                return;
            }
            boolean json = req.pathEquals(STATS);
            byte[] body = (json ? StatsPages.json(shard.group(), protocol) : StatsPages.prometheus(shard.group(), protocol))
                    .getBytes(StandardCharsets.UTF_8);
            h.respond(seq, 200, json ? ResponseWriter.APPLICATION_JSON : ResponseWriter.PROMETHEUS_TEXT, body,
                    req.minorVersion(), keepAlive, head);
        } else if (kv != null && req.pathStartsWith(KvRoute.PREFIX)) {
            kv.dispatch(h, req, seq, keepAlive);
        } else if (req.pathStartsWith(STATIC) && protocol.realRoot() != null) {
            if (!readOnly) {
                methodNotAllowed(h, req, seq, keepAlive);
                return;
            }
            FileExchange exchange = new FileExchange(h, seq, head, req.minorVersion(), keepAlive,
                    header(req, IF_NONE_MATCH), header(req, IF_MODIFIED_SINCE), head ? null : header(req, RANGE));
            exchange.start(req.pathAfter(STATIC.length));
        } else {
            h.respondText(seq, 404, "Not Found\n", req.minorVersion(), keepAlive, head);
        }
    }

    private void methodNotAllowed(HttpConnectionHandler h, HttpRequest req, long seq, boolean keepAlive) {
        OutboundBuffer out = h.out(seq);
        ResponseWriter.begin(out, 405, date(), ResponseWriter.TEXT_PLAIN, req.minorVersion(), keepAlive);
        ResponseWriter.header(out, ALLOW, "GET, HEAD");
        byte[] body = HttpStatus.reason(405).concat("\n").getBytes(StandardCharsets.US_ASCII);
        ResponseWriter.contentLength(out, body.length);
        out.writeBytes(body);
        h.completed(seq);
    }

    private static String header(HttpRequest req, byte[] lowerName) {
        int i = req.headerIndex(lowerName);
        return i < 0 ? null : req.headerValue(i);
    }
}
