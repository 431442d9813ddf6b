package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardingSeamTest {
    private static int owner(String key, int shards) {
        byte[] b = key.getBytes();
        return Slots.ownerOf(b, 0, b.length, shards);
    }

    @Test
    void shouldGroupKeysByOwnerKeepingTheirPositions() {
        CommandArgs args = CommandArgs.of("MGET", "foo", "bar", "{foo}x", "baz", "foo");
        MultiKeySplit split = new MultiKeySplit();
        split.split(args, 1, 4);
        int total = 0;
        for (int g = 0; g < split.groups(); g++) {
            for (int k = 0; k < split.size(g); k++) {
                int pos = split.position(g, k);
                assertEquals(split.shard(g), owner(args.string(pos), 4));
                if (k > 0) {
                    assertTrue(split.position(g, k - 1) < pos, "request order within a group");
                }
                total++;
            }
            if (g > 0) {
                assertTrue(split.shard(g - 1) < split.shard(g));
            }
        }
        assertEquals(5, total);
    }

    @Test
    void shouldEncodeEachGroupAsASubCommandWithItsValues() {
        CommandArgs args = CommandArgs.of("MSET", "foo", "1", "bar", "2", "{foo}y", "3");
        MultiKeySplit split = new MultiKeySplit();
        split.split(args, 2, 4);
        ExpandableArrayBuffer buf = new ExpandableArrayBuffer();
        CommandArgs sub = new CommandArgs();
        for (int g = 0; g < split.groups(); g++) {
            split.encodeGroup(g, args, buf, 0);
            CommandCodec.decode(buf, 0, sub);
            CommandArgs direct = new CommandArgs();
            split.subCommand(g, args, direct);
            assertEquals(direct.toString(), sub.toString());
            if (sub.toString().contains("foo")) {
                assertEquals("[MSET, foo, 1, {foo}y, 3]", sub.toString());
            }
        }
    }

    @Test
    void shouldMergePartsArrivingInAnyOrder() {
        CommandArgs args = CommandArgs.of("MGET", "a", "b", "c");
        MultiKeySplit split = new MultiKeySplit();
        split.split(args, 1, 1 << 14); // enough shards that the three keys part ways
        assertEquals(3, split.groups());
        ReplyMerger merger = new ReplyMerger();
        merger.begin(Command.Merge.BY_POSITION, 3, split);
        for (int g = 2; g >= 0; g--) {
            BufferReplyWriter part = new BufferReplyWriter();
            part.arrayHeader(1);
            String key = args.string(split.position(g, 0));
            part.bulk(("v" + key).getBytes());
            assertEquals(false, merger.complete());
            merger.accept(g, part.buffer(), 0, part.length());
        }
        assertTrue(merger.complete());
        BufferReplyWriter out = new BufferReplyWriter();
        merger.finish(out);
        assertEquals("*3\r\n$2\r\nva\r\n$2\r\nvb\r\n$2\r\nvc\r\n", out.toString());
    }

    @Test
    void shouldSumCountsAndPassTheFirstError() {
        ReplyMerger merger = new ReplyMerger();
        merger.begin(Command.Merge.SUM, 2, null);
        accept(merger, 0, w -> w.integer(2));
        accept(merger, 1, w -> w.integer(5));
        BufferReplyWriter out = new BufferReplyWriter();
        merger.finish(out);
        assertEquals(":7\r\n", out.toString());

        merger.begin(Command.Merge.ALL_OK, 2, null);
        accept(merger, 1, w -> w.error("ERR boom"));
        accept(merger, 0, w -> w.simple("OK"));
        out.reset();
        merger.finish(out);
        assertEquals("-ERR boom\r\n", out.toString());
    }

    @Test
    void shouldRunACommandThatCrossedAsBytesOnItsOwner() {
        ShardExecutor owner = new ShardExecutor(new Keyspace(() -> 0L, 1, 2));
        ExpandableArrayBuffer message = new ExpandableArrayBuffer();
        CommandCodec.encode(CommandArgs.of("SET", "k", "v"), message, 16);
        assertEquals("+OK\r\n", owner.executeEncoded(message, 16, 2).toString());
        CommandCodec.encode(CommandArgs.of("GET", "k"), message, 0);
        assertEquals("$1\r\nv\r\n", owner.executeEncoded(message, 0, 2).toString());
    }

    private static void accept(ReplyMerger merger, int part, java.util.function.Consumer<BufferReplyWriter> reply) {
        BufferReplyWriter w = new BufferReplyWriter();
        reply.accept(w);
        merger.accept(part, w.buffer(), 0, w.length());
    }

    @Test
    void shouldReturnEveryKeyPresentThroughoutAScanDespiteDeletes() {
        AtomicLong clock = new AtomicLong();
        Keyspace ks = new Keyspace(clock::get);
        CommandArgs a = new CommandArgs();
        for (int i = 0; i < 1000; i++) {
            a.clear();
            a.add("k" + i);
            ks.put(ks.probe(0, a, 0), new byte[0], Db.NO_EXPIRY);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int deleted = 0;
        do {
            cursor = ks.scan(cursor, 37, (k, v) -> seen.add(k.toString()));
            // Delete odd keys as the walk goes, including ones already visited.
            for (int j = 0; j < 20 && deleted < 500; j++, deleted++) {
                a.clear();
                a.add("k" + (2 * deleted + 1));
                ks.remove(ks.probe(0, a, 0));
            }
        } while (cursor != 0);
        for (int i = 0; i < 1000; i += 2) {
            assertTrue(seen.contains("k" + i), "missed k" + i);
        }
    }
}
