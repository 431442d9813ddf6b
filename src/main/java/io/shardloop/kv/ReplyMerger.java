package io.shardloop.kv;

import io.shardloop.kv.Command.Merge;
import io.shardloop.resp.codec.ReplyReader;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.resp.codec.RespWriter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

/**
 * Gathers the partial replies of a split (or fanned-out) command, in any order, and writes the
 * one reply the client expects: MGET's values back in request order, DEL/EXISTS/UNLINK/DBSIZE
 * counts summed, MSET/FLUSHDB "+OK" unless a part failed, KEYS arrays concatenated. A part that
 * answered an error makes the whole reply that error (the first in part order).
 * <pre>{@code
 * merger.begin(command.merge(), parts, split);     // split is null for ALL_SHARDS commands
 * merger.accept(part, replyBytes, offset, length); // as each part answers
 * if (merger.complete()) merger.finish(out);
 * }</pre>
 * Not thread-safe: owned by the shard of the connection that sent the command.
 */
public final class ReplyMerger {
    private final ExpandableArrayBuffer data = new ExpandableArrayBuffer(256);
    private int[] startByPart = new int[4];
    private int[] lengthByPart = new int[4];
    private byte[] scratch = new byte[64];
    private int[] elementAt = new int[32];
    private Merge merge;
    private MultiKeySplit split;
    private int parts;
    private int received;
    private int used;

    public void begin(Merge merge, int parts, MultiKeySplit split) {
        this.merge = merge;
        this.parts = parts;
        this.split = split;
        if (startByPart.length < parts) {
            startByPart = new int[parts];
            lengthByPart = new int[parts];
        }
        Arrays.fill(lengthByPart, 0, parts, -1);
        received = 0;
        used = 0;
    }

    /** Part {@code part} (a group of the split, or a shard for fan-outs) answered; its bytes are copied. */
    public void accept(int part, DirectBuffer reply, int offset, int length) {
        if (lengthByPart[part] >= 0) {
            throw new IllegalStateException("part " + part + " answered twice");
        }
        data.putBytes(used, reply, offset, length);
        startByPart[part] = used;
        lengthByPart[part] = length;
        used += length;
        received++;
    }

    public boolean complete() {
        return received == parts;
    }

    public void finish(ReplySink out) {
        for (int p = 0; p < parts; p++) {
            byte type = ReplyReader.type(data, startByPart[p]);
            if (type == '-') {
                copy(startByPart[p], lengthByPart[p], out);
                return;
            }
        }
        switch (merge) {
            case SUM -> {
                long sum = 0;
                for (int p = 0; p < parts; p++) {
                    sum += ReplyReader.number(data, startByPart[p]);
                }
                out.integer(sum);
            }
            case ALL_OK -> out.raw(RespWriter.OK);
            case CONCAT -> {
                long total = 0;
                for (int p = 0; p < parts; p++) {
                    total += ReplyReader.number(data, startByPart[p]);
                }
                out.arrayHeader((int) total);
                for (int p = 0; p < parts; p++) {
                    int first = ReplyReader.firstElement(data, startByPart[p]);
                    copy(first, startByPart[p] + lengthByPart[p] - first, out);
                }
            }
            case BY_POSITION -> byPosition(out);
            case RANDOM -> random(out);
            case NONE -> copy(startByPart[0], lengthByPart[0], out);
        }
    }

    /** Element k of part g answers the key at argument position(g, k); emit in argument order. */
    private void byPosition(ReplySink out) {
        int keys = split.keys();
        if (elementAt.length < keys * 2) {
            elementAt = new int[keys * 2]; // [start, end) of each key's element, by key ordinal
        }
        for (int g = 0; g < parts; g++) {
            int at = ReplyReader.firstElement(data, startByPart[g]);
            for (int k = 0; k < split.size(g); k++) {
                int end = ReplyReader.skip(data, at);
                int ordinal = (split.position(g, k) - 1) / split.step();
                elementAt[2 * ordinal] = at;
                elementAt[2 * ordinal + 1] = end;
                at = end;
            }
        }
        out.arrayHeader(keys);
        for (int k = 0; k < keys; k++) {
            copy(elementAt[2 * k], elementAt[2 * k + 1] - elementAt[2 * k], out);
        }
    }

    /**
     * A part that answered a bulk (not a null), each equally likely: shards hold about equal shares
     * of the keys (slots are spread evenly), so a key of a random non-empty shard is about as fair as
     * a random key of all; RANDOMKEY is approximate in Redis too.
     */
    private void random(ReplySink out) {
        int candidates = 0;
        for (int p = 0; p < parts; p++) {
            if (!isNull(p)) {
                candidates++;
            }
        }
        if (candidates == 0) {
            copy(startByPart[0], lengthByPart[0], out);
            return;
        }
        int pick = java.util.concurrent.ThreadLocalRandom.current().nextInt(candidates);
        for (int p = 0; p < parts; p++) {
            if (!isNull(p) && pick-- == 0) {
                copy(startByPart[p], lengthByPart[p], out);
                return;
            }
        }
    }

    /** Whether part {@code p} answered a null: RESP3's {@code _}, or RESP2's null bulk. */
    private boolean isNull(int p) {
        byte type = ReplyReader.type(data, startByPart[p]);
        return type == '_' || type == '$' && ReplyReader.number(data, startByPart[p]) < 0;
    }

    private void copy(int at, int length, ReplySink out) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        data.getBytes(at, scratch, 0, length);
        out.raw(scratch, 0, length);
    }
}
