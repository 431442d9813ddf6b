package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.http.file.ContentTypes;
import io.shardloop.http.file.FileReader;
import io.shardloop.http.file.OpenFile;
import io.shardloop.http.file.StaticPaths;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.runtime.net.ReplyOrder;

import java.nio.ByteBuffer;

/**
 * One static-file response, from the checked path to the last byte. The blocking parts (resolve,
 * stat, open; each chunk read) go to the {@link FileReader}; everything else runs on the loop.
 * <pre>
 *   start ─check path─▶ open (reader) ─▶ onOpened: decide 200/206/304/416 ─▶ wait for the head of
 *   the response order ─▶ write the head ─▶ read chunk (reader) ─▶ write it ─▶ wait until the socket
 *   drains (notifyWhenWritable) ─▶ read the next chunk ... ─▶ release the file, complete the slot
 * </pre>
 * At most one chunk is in memory per response, and the next is read only once the connection's
 * unsent bytes fall to its low-water mark: a slow reader holds one chunk, not the file. The head of
 * a response with a body waits in a buffer of its own until the first chunk is read, so head and
 * first chunk leave in one send (a small file in one segment), not a lone head a turn earlier.
 * <p>
 * Validators: a strong ETag from size and modification time; Last-Modified to the second.
 * If-None-Match wins over If-Modified-Since; one byte range (bytes=a-b, a-, -n) is honoured,
 * several are ignored (the whole file is sent), a range past the end gets 416.
 * <p>
 * Owned by one connection, on its shard's loop thread (the reader's callbacks arrive there).
 */
final class FileExchange implements FileReader.OpenCallback, FileReader.ReadCallback, ReplyOrder.HeadListener {
    private static final byte[] LAST_MODIFIED = Bytes.ascii("Last-Modified");
    private static final byte[] ETAG = Bytes.ascii("ETag");
    private static final byte[] ACCEPT_RANGES = Bytes.ascii("Accept-Ranges");
    private static final byte[] CONTENT_RANGE = Bytes.ascii("Content-Range");
    private static final byte[] RETRY_AFTER = Bytes.ascii("Retry-After");

    private final HttpConnectionHandler handler;
    private final Connection connection;
    private final FileReader reader;
    private final long seq;
    private final boolean head;
    private final int minorVersion;
    private final boolean keepAlive;
    private final String ifNoneMatch;
    private final String ifModifiedSince;
    private final String range;

    private OpenFile file;
    private int status;
    private String etag;
    private long position;
    private long remaining;
    private ByteBuffer chunk;
    private boolean reading;
    private boolean done;
    /** The head, written but held back until the first chunk joins it; null once sent or when none waits. */
    private OutboundBuffer heldHead;

    FileExchange(HttpConnectionHandler handler, long seq, boolean head, int minorVersion, boolean keepAlive,
                 String ifNoneMatch, String ifModifiedSince, String range) {
        this.handler = handler;
        this.connection = handler.connection();
        this.reader = handler.routes().fileReader();
        this.seq = seq;
        this.head = head;
        this.minorVersion = minorVersion;
        this.keepAlive = keepAlive;
        this.ifNoneMatch = ifNoneMatch;
        this.ifModifiedSince = ifModifiedSince;
        this.range = range;
    }

    void start(String rawPath) {
        StaticPaths.Decoded path = StaticPaths.decode(rawPath);
        if (!path.ok()) {
            status = path.status();
            handler.whenHead(seq, this);
            return;
        }
        reader.open(connection, handler.routes().protocol().realRoot(), path.path(), this);
    }

    @Override
    public void onOpened(OpenFile opened) {
        assert connection.loop().inLoop();
        if (connection.isClosed()) {
            reader.release(opened);
            return;
        }
        file = opened;
        etag = "\"" + Long.toHexString(opened.size()) + "-" + Long.toHexString(opened.lastModifiedMillis()) + "\"";
        status = 200;
        position = 0;
        remaining = opened.size();
        if (ifNoneMatch != null) {
            if (etagMatches(ifNoneMatch, etag)) {
                status = 304;
            }
        } else if (ifModifiedSince != null) {
            long since = HttpDate.parseSeconds(ifModifiedSince);
            if (since >= 0 && opened.lastModifiedMillis() / 1000 <= since) {
                status = 304;
            }
        }
        if (status == 200 && range != null) {
            applyRange(range, opened.size());
        }
        handler.routes().counters().increment(HttpStats.FILE_RESPONSES);
        handler.whenHead(seq, this);
    }

    @Override
    public void onOpenFailed(int failure, String reason) {
        assert connection.loop().inLoop();
        if (connection.isClosed()) {
            return;
        }
        status = failure;
        if (failure == 503) {
            handler.routes().counters().increment(HttpStats.OFFLOAD_REJECTED);
        }
        handler.whenHead(seq, this);
    }

    /** Every earlier response has been written: this one may write to the connection. */
    @Override
    public void onHead() {
        if (connection.isClosed()) {
            finish();
            return;
        }
        OutboundBuffer out = connection.outbound();
        byte[] date = handler.routes().date();
        if (file == null) {
            byte[] body = Bytes.ascii(HttpStatus.reason(status) + "\n");
            ResponseWriter.begin(out, status, date, ResponseWriter.TEXT_PLAIN_UTF8, minorVersion, keepAlive);
            if (status == 503) {
                ResponseWriter.header(out, RETRY_AFTER, "1"); // the offload pool was full: a moment's wait is enough
            }
            ResponseWriter.contentLength(out, body.length);
            if (!head) {
                out.writeBytes(body);
            }
            finish();
            return;
        }
        if (status == 304) {
            ResponseWriter.begin(out, 304, date, null, minorVersion, keepAlive);
            validators(out);
            ResponseWriter.endHead(out);
            finish();
            return;
        }
        if (status == 416) {
            ResponseWriter.begin(out, 416, date, ResponseWriter.TEXT_PLAIN_UTF8, minorVersion, keepAlive);
            ResponseWriter.header(out, CONTENT_RANGE, "bytes */" + file.size());
            ResponseWriter.contentLength(out, 0);
            finish();
            return;
        }
        boolean body = !head && remaining > 0;
        OutboundBuffer headOut = body ? connection.newOutboundBuffer() : out;
        ResponseWriter.begin(headOut, status, date, Bytes.ascii(ContentTypes.forName(file.name())), minorVersion, keepAlive);
        validators(headOut);
        ResponseWriter.header(headOut, ACCEPT_RANGES, "bytes");
        if (status == 206) {
            ResponseWriter.header(headOut, CONTENT_RANGE,
                    "bytes " + position + "-" + (position + remaining - 1) + "/" + file.size());
        }
        ResponseWriter.contentLength(headOut, remaining);
        if (!body) {
            finish();
            return;
        }
        heldHead = headOut;
        connection.onReplyHeld();
        chunk = ByteBuffer.allocate((int) Math.min(handler.routes().config().fileChunkSize(), remaining));
        handler.streaming(this);
        readNext();
    }

    private void validators(OutboundBuffer out) {
        ResponseWriter.header(out, LAST_MODIFIED, HttpDate.format(file.lastModifiedMillis()));
        ResponseWriter.header(out, ETAG, etag);
    }

    private void readNext() {
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), remaining));
        reading = true;
        reader.read(connection, file, position, chunk, this);
    }

    @Override
    public void onRead(int bytes) {
        assert connection.loop().inLoop();
        reading = false;
        if (connection.isClosed() || done) {
            finish();
            return;
        }
        if (bytes < 0) {
            // The head promised more bytes than the file now holds: only closing tells the client.
            connection.close("file " + file.name() + " shrank while being sent");
            finish();
            return;
        }
        chunk.flip();
        if (heldHead != null) {
            heldHead.moveTo(connection.outbound());
            heldHead = null;
        }
        connection.outbound().writeBytes(chunk);
        position += bytes;
        remaining -= bytes;
        handler.routes().counters().add(HttpStats.FILE_BYTES, bytes);
        if (remaining == 0) {
            finish();
        } else {
            connection.notifyWhenWritable();
        }
    }

    @Override
    public void onReadFailed(String reason) {
        reading = false;
        connection.close("reading " + (file == null ? "?" : file.name()) + " failed: " + reason);
        finish();
    }

    /** The socket drained to its low-water mark: read the next chunk. */
    void onWritable() {
        if (!done && !reading && remaining > 0) {
            readNext();
        }
    }

    @Override
    public void onDiscarded() {
        finish();
    }

    /** The connection closed under this response; a read in flight releases the file when it returns. */
    void onConnectionClosed() {
        if (!reading) {
            finish();
        }
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        handler.streaming(null);
        if (heldHead != null) {
            heldHead.discard(); // the response ends before its body began (the connection closed)
            heldHead = null;
        }
        if (file != null) {
            reader.release(file);
        }
        chunk = null;
        if (!connection.isClosed()) {
            handler.completed(seq);
        }
    }

    private void applyRange(String value, long size) {
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes=", 0, 6) || v.indexOf(',') >= 0) {
            return; // another unit, or several ranges: send the whole file
        }
        String spec = v.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return;
        }
        long first;
        long last;
        try {
            if (dash == 0) {
                long suffix = Long.parseLong(spec.substring(1));
                if (suffix <= 0 || size == 0) {
                    status = 416;
                    return;
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(spec.substring(0, dash));
                last = dash == spec.length() - 1 ? size - 1 : Long.parseLong(spec.substring(dash + 1));
                if (first < 0 || (dash < spec.length() - 1 && last < first)) {
                    return; // not a valid range: ignored
                }
                if (first >= size) {
                    status = 416;
                    return;
                }
                last = Math.min(last, size - 1);
            }
        } catch (NumberFormatException e) {
            return;
        }
        status = 206;
        position = first;
        remaining = last - first + 1;
    }

    static boolean etagMatches(String header, String etag) {
        String h = header.trim();
        if (h.equals("*")) {
            return true;
        }
        for (String candidate : h.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
