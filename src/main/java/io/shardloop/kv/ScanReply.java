package io.shardloop.kv;

import io.shardloop.resp.codec.ReplyReader;
import org.agrona.DirectBuffer;

import java.util.Set;

/** Reads the reply of one SCAN step ({@code *2 cursor [keys...]}) for a walk that gathers the keys. Stateless. */
final class ScanReply {
    private ScanReply() {
    }

    static boolean isError(DirectBuffer reply, int offset) {
        return ReplyReader.type(reply, offset) == '-';
    }

    /** Adds the step's keys to {@code into} (copied) and returns the next cursor. */
    static long read(DirectBuffer reply, int offset, Set<Key> into) {
        int at = ReplyReader.firstElement(reply, offset);
        int cursorLength = (int) ReplyReader.number(reply, at);
        int cursorAt = ReplyReader.firstElement(reply, at);
        long cursor = Long.parseUnsignedLong(reply.getStringWithoutLengthAscii(cursorAt, cursorLength));
        at = ReplyReader.skip(reply, at);
        long keys = ReplyReader.number(reply, at);
        at = ReplyReader.firstElement(reply, at);
        for (long k = 0; k < keys; k++) {
            int length = (int) ReplyReader.number(reply, at);
            int bytesAt = ReplyReader.firstElement(reply, at);
            byte[] key = new byte[length];
            reply.getBytes(bytesAt, key);
            into.add(Key.wrap(key));
            at = bytesAt + length + 2;
        }
        return cursor;
    }
}
