package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.kv.Slots;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.kv.KvShard;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * {@code /kv/{key}} on one shard: the same data as the Redis protocol, through this shard's
 * {@link KvShard}.
 * <pre>
 *   GET    /kv/k     GET k        $n value ─▶ 200 value (application/octet-stream); $-1 ─▶ 404
 *   HEAD   /kv/k     GET k        the same, head only
 *   PUT    /kv/k     SET k body   +OK ─▶ 204
 *   DELETE /kv/k     DEL k        :1 ─▶ 204; :0 ─▶ 404
 *   any    -ERR...   500 with the error text;  other methods 405 with Allow
 * </pre>
 * The key is the percent-decoded rest of the path (any bytes, {@code /} included); empty or
 * malformed: 400; longer than {@link HttpConfig#maxKeyBytes()}: 414. The command runs here when this
 * shard owns the key (and always in the shared-state modes); otherwise it crosses to the owner over
 * the mailbox and its RESP reply comes back to {@link #answer}, which writes into the request's slot
 * of the connection's {@link ResponseSequencer}, so pipelined requests stay in order.
 * <p>
 * The state of one request crosses shards as the listener's token, not as an object:
 * {@code seq << 8 | op << 2 | http11 << 1 | keepAlive}. Nothing is allocated per request here; the
 * command arguments and the key buffer are reused.
 * <p>
 * Owned by one shard, on its loop thread.
 */
final class KvRoute {
    static final byte[] PREFIX = Bytes.ascii("/kv/");
    private static final byte[] ALLOW = Bytes.ascii("Allow");
    private static final byte[] OCTET_STREAM = Bytes.ascii("application/octet-stream");
    private static final byte[] GET = Bytes.ascii("GET");
    private static final byte[] SET = Bytes.ascii("SET");
    private static final byte[] DEL = Bytes.ascii("DEL");
    private static final byte[] NOT_FOUND = Bytes.ascii("Not Found\n");

    static final int OP_GET = 0;
    static final int OP_HEAD = 1;
    static final int OP_PUT = 2;
    static final int OP_DELETE = 3;
    private static final int FLAG_BITS = 8;

    private final HttpRoutes routes;
    private final KvShard kv;
    private final CommandArgs args = new CommandArgs();
    private final byte[] key;

    KvRoute(HttpRoutes routes, KvShard kv) {
        this.routes = routes;
        this.kv = kv;
        this.key = new byte[routes.config().maxKeyBytes()];
    }

    void dispatch(HttpConnectionHandler h, HttpRequest req, long seq, boolean keepAlive) {
        routes.counters().increment(HttpStats.KV_REQUESTS);
        int op = switch (req.method()) {
            case GET -> OP_GET;
            case HEAD -> OP_HEAD;
            case PUT -> OP_PUT;
            case DELETE -> OP_DELETE;
            default -> -1;
        };
        if (op < 0) {
            methodNotAllowed(h, req, seq, keepAlive);
            return;
        }
        boolean head = op == OP_HEAD;
        int keyLength = decodeKey(req);
        if (keyLength == TOO_LONG) {
            h.respondText(seq, 414, "key longer than " + key.length + " bytes\n", req.minorVersion(), keepAlive, head);
            return;
        }
        if (keyLength <= 0) {
            h.respondText(seq, 400, keyLength == 0 ? "empty key\n" : "malformed percent-encoding in the key\n",
                    req.minorVersion(), keepAlive, head);
            return;
        }
        args.clear();
        args.add(op == OP_PUT ? SET : op == OP_DELETE ? DEL : GET);
        args.add(key, 0, keyLength);
        if (op == OP_PUT) {
            args.add(req.body(), 0, req.bodyLength());
        }
        long token = seq << FLAG_BITS | (long) op << 2 | (req.minorVersion() == 1 ? 2 : 0) | (keepAlive ? 1 : 0);
        int owner = kv.sharded() ? Slots.ownerOf(key, 0, keyLength, kv.shardCount()) : kv.shardIndex();
        if (owner == kv.shardIndex()) {
            BufferReplyWriter reply = kv.executeHereToBytes(args);
            answer(h, token, reply.buffer(), 0, reply.length());
        } else {
            routes.counters().increment(HttpStats.KV_REMOTE);
            kv.send(owner, args, h, token, -1); // the reply comes back to h.onReply, then answer
        }
    }

    /** Turns the RESP reply of the command behind {@code token} into the HTTP response of its slot. */
    void answer(HttpConnectionHandler h, long token, DirectBuffer reply, int offset, int length) {
        long seq = token >>> FLAG_BITS;
        int op = (int) (token >>> 2) & 3;
        int minor = (int) (token >>> 1) & 1;
        boolean keepAlive = (token & 1) != 0;
        boolean head = op == OP_HEAD;
        byte type = length > 0 ? reply.getByte(offset) : 0;
        if (type == '-') {
            String text = reply.getStringWithoutLengthAscii(offset + 1, Math.max(0, length - 3));
            h.respondText(seq, 500, text + "\n", minor, keepAlive, head);
            return;
        }
        switch (op) {
            case OP_GET, OP_HEAD -> {
                if (type != '$') {
                    unexpected(h, seq, reply, offset, length, minor, keepAlive, head);
                    return;
                }
                int lineEnd = lineEnd(reply, offset, length);
                long n = parseInteger(reply, offset + 1, lineEnd);
                if (n < 0) {
                    h.respond(seq, 404, ResponseWriter.TEXT_PLAIN_UTF8, NOT_FOUND, minor, keepAlive, head);
                    return;
                }
                OutboundBuffer out = h.out(seq);
                ResponseWriter.begin(out, 200, routes.date(), OCTET_STREAM, minor, keepAlive);
                ResponseWriter.contentLength(out, n);
                if (!head) {
                    out.writeBytes(reply, lineEnd + 2, (int) n);
                }
                h.completed(seq);
            }
            case OP_PUT -> {
                if (type != '+') {
                    unexpected(h, seq, reply, offset, length, minor, keepAlive, head);
                    return;
                }
                noContent(h, seq, minor, keepAlive);
            }
            default -> {
                if (type != ':') {
                    unexpected(h, seq, reply, offset, length, minor, keepAlive, head);
                    return;
                }
                long deleted = parseInteger(reply, offset + 1, lineEnd(reply, offset, length));
                if (deleted > 0) {
                    noContent(h, seq, minor, keepAlive);
                } else {
                    h.respond(seq, 404, ResponseWriter.TEXT_PLAIN_UTF8, NOT_FOUND, minor, keepAlive, false);
                }
            }
        }
    }

    private void noContent(HttpConnectionHandler h, long seq, int minor, boolean keepAlive) {
        OutboundBuffer out = h.out(seq);
        ResponseWriter.begin(out, 204, routes.date(), null, minor, keepAlive);
        ResponseWriter.endHead(out); // a 204 has no body and no Content-Length
        h.completed(seq);
    }

    private static void unexpected(HttpConnectionHandler h, long seq, DirectBuffer reply, int offset, int length,
                                   int minor, boolean keepAlive, boolean head) {
        String text = reply.getStringWithoutLengthAscii(offset, Math.min(length, 64)).trim();
        h.respondText(seq, 500, "unexpected reply from the store: " + text + "\n", minor, keepAlive, head);
    }

    private void methodNotAllowed(HttpConnectionHandler h, HttpRequest req, long seq, boolean keepAlive) {
        OutboundBuffer out = h.out(seq);
        ResponseWriter.begin(out, 405, routes.date(), ResponseWriter.TEXT_PLAIN, req.minorVersion(), keepAlive);
        ResponseWriter.header(out, ALLOW, "GET, HEAD, PUT, DELETE");
        byte[] body = HttpStatus.reason(405).concat("\n").getBytes(StandardCharsets.US_ASCII);
        ResponseWriter.contentLength(out, body.length);
        out.writeBytes(body);
        h.completed(seq);
    }

    private static final int MALFORMED = -1;
    private static final int TOO_LONG = -2;

    /** Percent-decodes the path after {@code /kv/} into {@link #key}: its length, or MALFORMED or TOO_LONG. */
    private int decodeKey(HttpRequest req) {
        byte[] src = req.headBytes();
        int i = req.targetStart() + PREFIX.length;
        int end = req.targetStart() + req.pathLength();
        int n = 0;
        while (i < end) {
            int b = src[i] & 0xff;
            if (b == '%') {
                if (i + 2 >= end) {
                    return MALFORMED;
                }
                int hi = Character.digit(src[i + 1], 16);
                int lo = Character.digit(src[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return MALFORMED;
                }
                b = hi << 4 | lo;
                i += 3;
            } else {
                i++;
            }
            if (n == key.length) {
                return TOO_LONG;
            }
            key[n++] = (byte) b;
        }
        return n;
    }

    /** Index of the CR ending the first line of a reply. */
    private static int lineEnd(DirectBuffer reply, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (reply.getByte(i) == '\r') {
                return i;
            }
        }
        return end;
    }

    /** A RESP length or integer: optional '-', digits, up to {@code end}. */
    private static long parseInteger(DirectBuffer reply, int from, int end) {
        boolean negative = from < end && reply.getByte(from) == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < end; i++) {
            v = v * 10 + (reply.getByte(i) - '0');
        }
        return negative ? -v : v;
    }
}
