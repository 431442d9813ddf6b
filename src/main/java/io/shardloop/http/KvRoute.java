package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.Plan;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplyReader;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.runtime.net.ProtectedMode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * {@code /kv/{key}} on one shard: the same data as the Redis protocol, through this shard's
 * {@link KvShard}, planned by the same router.
 * <pre>
 *   GET    /kv/k     GET k        bulk ─▶ 200 value (application/octet-stream); null ─▶ 404
 *   HEAD   /kv/k     GET k        the same, head only
 *   PUT    /kv/k     SET k body   OK ─▶ 204
 *   DELETE /kv/k     DEL k        1 ─▶ 204; 0 ─▶ 404
 *   any    error     500 with the error text (507 for OOM); other methods 405 with Allow
 * </pre>
 * The key is the percent-decoded rest of the path (any bytes, {@code /} included); empty or
 * malformed: 400; longer than {@link HttpConfig#maxKeyBytes()}: 414. With {@code --requirepass} a
 * request must authenticate as Redis's default user: {@code Authorization: Basic} with user
 * {@code default} (or an empty user) and the password, or {@code Authorization: Bearer <password>};
 * otherwise 401 with both challenges. Without a password and in protected mode (the default), a
 * client that is not on the loopback interface gets 403 with Redis's explanation.
 * <p>
 * The command writes its reply through a {@link ReplySink} that is the HTTP response: here when this
 * shard runs it, or replayed from the RESP bytes that come back when another shard did. The state of
 * one request crosses shards as the submitter's token, not as an object:
 * {@code ticket << 8 | op << 2 | http11 << 1 | keepAlive}.
 * <p>
 * Owned by one shard, on its loop thread.
 */
final class KvRoute {
    static final byte[] PREFIX = Bytes.ascii("/kv/");
    private static final byte[] ALLOW = Bytes.ascii("Allow");
    private static final byte[] WWW_AUTHENTICATE = Bytes.ascii("WWW-Authenticate");
    private static final byte[] AUTHORIZATION = Bytes.ascii("authorization");
    private static final byte[] OCTET_STREAM = Bytes.ascii("application/octet-stream");
    private static final byte[] NOT_FOUND = Bytes.ascii("Not Found\n");
    private static final Command GET = CommandTable.find(CommandArgs.of("GET"));
    private static final Command SET = CommandTable.find(CommandArgs.of("SET"));
    private static final Command DEL = CommandTable.find(CommandArgs.of("DEL"));

    static final int OP_GET = 0;
    static final int OP_HEAD = 1;
    static final int OP_PUT = 2;
    static final int OP_DELETE = 3;
    private static final int FLAG_BITS = 8;

    /** One connection's /kv command: kept while it waits for credit, reused request after request. */
    static final class Exchange {
        final CommandArgs args = new CommandArgs();
        final Plan plan = new Plan();
        Command command;
        long token;
        boolean waiting;
    }

    private final HttpRoutes routes;
    private final KvShard kv;
    private final byte[] key;
    private final Response response = new Response();
    private final UnsafeBuffer rawView = new UnsafeBuffer(0, 0);

    KvRoute(HttpRoutes routes, KvShard kv) {
        this.routes = routes;
        this.kv = kv;
        this.key = new byte[routes.config().maxKeyBytes()];
    }

    void dispatch(HttpConnectionHandler h, HttpRequest req, long ticket, boolean keepAlive) {
        routes.counters().increment(HttpStats.KV_REQUESTS);
        int op = switch (req.method()) {
            case GET -> OP_GET;
            case HEAD -> OP_HEAD;
            case PUT -> OP_PUT;
            case DELETE -> OP_DELETE;
            default -> -1;
        };
        if (op < 0) {
            methodNotAllowed(h, req, ticket, keepAlive);
            return;
        }
        boolean head = op == OP_HEAD;
        HttpConfig config = routes.config();
        if (ProtectedMode.refuses(config.protectedMode(), config.requirePass() != null, h.connection().remoteAddress())) {
            h.respondText(ticket, 403, ProtectedMode.EXPLANATION + "\n", req.minorVersion(), keepAlive, head);
            return;
        }
        if (!authorized(req)) {
            unauthorized(h, req, ticket, keepAlive, head);
            return;
        }
        int keyLength = decodeKey(req);
        if (keyLength == TOO_LONG) {
            h.respondText(ticket, 414, "key longer than " + key.length + " bytes\n", req.minorVersion(), keepAlive, head);
            return;
        }
        if (keyLength <= 0) {
            h.respondText(ticket, 400, keyLength == 0 ? "empty key\n" : "malformed percent-encoding in the key\n",
                    req.minorVersion(), keepAlive, head);
            return;
        }
        Exchange e = h.kvExchange();
        e.command = op == OP_PUT ? SET : op == OP_DELETE ? DEL : GET;
        e.args.clear();
        e.args.add(e.command.name()).add(key, 0, keyLength);
        if (op == OP_PUT) {
            e.args.add(req.body(), 0, req.bodyLength());
        }
        e.token = ticket << FLAG_BITS | (long) op << 2 | (req.minorVersion() == 1 ? 2 : 0) | (keepAlive ? 1 : 0);
        kv.plan(e.command, e.args, e.plan);
        if (e.plan.kind() != Plan.Kind.HERE) {
            routes.counters().increment(HttpStats.KV_REMOTE);
        }
        submit(h, e);
    }

    /** Submits the exchange's command; holds the connection's input while it waits for credit. */
    void submit(HttpConnectionHandler h, Exchange e) {
        if (!kv.submit(e.command, e.args, e.plan, h)) {
            h.holdForCredit();
        }
    }

    void cancel(HttpConnectionHandler h) {
        kv.cancelWait(h);
    }

    /** The response of the exchange's request, as a sink its command writes into now. */
    ReplySink sinkFor(HttpConnectionHandler h, Exchange e) {
        return response.bind(h, e.token);
    }

    /** The RESP reply of the command behind {@code token}, from another shard, replayed into its response. */
    void answer(HttpConnectionHandler h, long token, DirectBuffer reply, int offset) {
        ReplyReader.replay(reply, offset, response.bind(h, token));
    }

    private boolean authorized(HttpRequest req) {
        String password = routes.config().requirePass();
        if (password == null) {
            return true;
        }
        int i = req.headerIndex(AUTHORIZATION);
        if (i < 0) {
            return false;
        }
        String value = req.headerValue(i).trim();
        int space = value.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = value.substring(0, space);
        String credentials = value.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return constantTimeEquals(credentials, password);
        }
        if (!scheme.equalsIgnoreCase("Basic")) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(java.util.Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        return (user.isEmpty() || user.equals("default")) && constantTimeEquals(decoded.substring(colon + 1), password);
    }

    private static boolean constantTimeEquals(String given, String expected) {
        return java.security.MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    private void unauthorized(HttpConnectionHandler h, HttpRequest req, long ticket, boolean keepAlive, boolean head) {
        OutboundBuffer out = h.out(ticket);
        ResponseWriter.begin(out, 401, routes.date(), ResponseWriter.TEXT_PLAIN_UTF8, req.minorVersion(), keepAlive);
        ResponseWriter.header(out, WWW_AUTHENTICATE, "Basic realm=\"shardloop\", charset=\"UTF-8\"");
        ResponseWriter.header(out, WWW_AUTHENTICATE, "Bearer realm=\"shardloop\"");
        byte[] body = Bytes.ascii("authentication required: the server's --requirepass, as user default\n");
        ResponseWriter.contentLength(out, body.length);
        if (!head) {
            out.writeBytes(body);
        }
        h.completed(ticket);
    }

    private void methodNotAllowed(HttpConnectionHandler h, HttpRequest req, long ticket, boolean keepAlive) {
        OutboundBuffer out = h.out(ticket);
        ResponseWriter.begin(out, 405, routes.date(), ResponseWriter.TEXT_PLAIN, req.minorVersion(), keepAlive);
        ResponseWriter.header(out, ALLOW, "GET, HEAD, PUT, DELETE");
        byte[] body = io.shardloop.http.codec.HttpStatus.reason(405).concat("\n").getBytes(StandardCharsets.US_ASCII);
        ResponseWriter.contentLength(out, body.length);
        out.writeBytes(body);
        h.completed(ticket);
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

    /**
     * The HTTP response of one /kv request, written by the command's reply: a bulk is the value, a
     * null is 404, OK and a count of one are 204, an error is 500 (507 for OOM). One per shard,
     * bound to a request before each use.
     */
    private final class Response implements ReplySink {
        private HttpConnectionHandler h;
        private long ticket;
        private int op;
        private int minor;
        private boolean keepAlive;
        private boolean done;

        Response bind(HttpConnectionHandler handler, long token) {
            h = handler;
            ticket = token >>> FLAG_BITS;
            op = (int) (token >>> 2) & 3;
            minor = (int) (token >>> 1) & 1;
            keepAlive = (token & 1) != 0;
            done = false;
            return this;
        }

        @Override
        public void simple(String ascii) {
            if (op == OP_PUT && ascii.equals("OK")) {
                noContent();
            } else {
                unexpected("+" + ascii);
            }
        }

        @Override
        public void raw(byte[] encoded, int offset, int length) {
            rawView.wrap(encoded, offset, length);
            ReplyReader.replay(rawView, 0, this);
        }

        @Override
        public void error(String message) {
            text(message.startsWith("OOM") ? 507 : 500, message + "\n");
        }

        @Override
        public void integer(long value) {
            if (op != OP_DELETE) {
                unexpected(":" + value);
            } else if (value > 0) {
                noContent();
            } else {
                notFound();
            }
        }

        @Override
        public void bulk(byte[] value, int offset, int length) {
            if (op != OP_GET && op != OP_HEAD) {
                unexpected("a bulk string");
                return;
            }
            if (done) {
                return;
            }
            done = true;
            OutboundBuffer out = h.out(ticket);
            ResponseWriter.begin(out, 200, routes.date(), OCTET_STREAM, minor, keepAlive);
            ResponseWriter.contentLength(out, length);
            if (op != OP_HEAD) {
                out.writeBytes(value, offset, length);
            }
            h.completed(ticket);
        }

        @Override
        public void bulkDecimal(long value) {
            byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
            bulk(digits, 0, digits.length);
        }

        @Override
        public void nullBulk() {
            if (op == OP_GET || op == OP_HEAD) {
                notFound();
            } else {
                unexpected("a null");
            }
        }

        @Override
        public void arrayHeader(int count) {
            unexpected("an array");
        }

        @Override
        public void nullArray() {
            unexpected("a null array");
        }

        private void noContent() {
            if (done) {
                return;
            }
            done = true;
            OutboundBuffer out = h.out(ticket);
            ResponseWriter.begin(out, 204, routes.date(), null, minor, keepAlive);
            ResponseWriter.endHead(out); // a 204 has no body and no Content-Length
            h.completed(ticket);
        }

        private void notFound() {
            if (!done) {
                done = true;
                h.respond(ticket, 404, ResponseWriter.TEXT_PLAIN_UTF8, NOT_FOUND, minor, keepAlive, op == OP_HEAD);
            }
        }

        private void unexpected(String what) {
            text(500, "unexpected reply from the store: " + what + "\n");
        }

        private void text(int status, String body) {
            if (!done) {
                done = true;
                h.respondText(ticket, status, body, minor, keepAlive, op == OP_HEAD);
            }
        }
    }
}
