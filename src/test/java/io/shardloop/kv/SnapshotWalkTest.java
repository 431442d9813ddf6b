package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot's walk saves each database as it was when it began, whatever the commands do to it
 * between its steps: overwrites, deletes, new keys, FLUSHDB, SWAPDB, expiry; and each entry once.
 */
class SnapshotWalkTest {
    private static Key key(String s) {
        return Key.of(s);
    }

    private static String text(Object v) {
        return new String((byte[]) v, StandardCharsets.UTF_8);
    }

    /** Every key of every database: "db:key" to value. */
    private static Map<String, String> contents(Keyspace[] dbs) {
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < dbs.length; db++) {
            int d = db;
            dbs[db].forEachKey((k, v) -> out.put(d + ":" + new String(k.array(), k.offset(), k.length(), StandardCharsets.UTF_8), text(v)));
        }
        return out;
    }

    @Test
    void shouldSaveThePointInTimeWhileCommandsChangeTheData() {
        long[] now = {1_000};
        Random random = new Random(7);
        for (int run = 0; run < 20; run++) {
            Keyspace[] dbs = Keyspace.databases(3, () -> now[0], 0, 1);
            for (int i = 0; i < 2_000; i++) {
                dbs[random.nextInt(3)].put(key("k" + i), ("v" + i).getBytes(StandardCharsets.UTF_8),
                        i % 10 == 0 ? now[0] + 50 + random.nextInt(100) : Db.NO_EXPIRY);
            }
            Map<String, String> atStart = contents(dbs);
            Map<String, String> saved = new TreeMap<>();
            Map<String, Integer> times = new HashMap<>();
            Keyspace.Walk[] walks = new Keyspace.Walk[dbs.length];
            for (int db = 0; db < dbs.length; db++) {
                walks[db] = dbs[db].beginSnapshot((d, k, v, at) -> {
                    String name = d + ":" + new String(k.array(), k.offset(), k.length(), StandardCharsets.UTF_8);
                    saved.put(name, text(v));
                    times.merge(name, 1, Integer::sum);
                });
            }
            boolean done = false;
            int next = 10_000;
            while (!done) {
                for (int op = 0; op < 20; op++) {
                    Keyspace db = dbs[random.nextInt(3)];
                    String k = "k" + random.nextInt(2_500);
                    switch (random.nextInt(10)) {
                        case 0, 1, 2 -> db.put(key(k), "changed".getBytes(StandardCharsets.UTF_8), Db.NO_EXPIRY);
                        case 3, 4 -> db.remove(key(k));
                        case 5 -> db.put(key("n" + next++), "new".getBytes(StandardCharsets.UTF_8), Db.NO_EXPIRY);
                        case 6 -> db.get(key(k));
                        case 7 -> {
                            if (db.peek(key(k)) != null) {
                                db.setExpireAt(key(k), now[0] + 1);
                            }
                        }
                        case 8 -> {
                            if (random.nextInt(40) == 0) {
                                db.clear();
                            } else if (random.nextInt(20) == 0) {
                                int a = random.nextInt(3);
                                dbs[a].swapKeys(dbs[(a + 1 + random.nextInt(2)) % 3]);
                            }
                        }
                        default -> now[0] += 5; // deadlines pass; the expiry cycle deletes some
                    }
                }
                Keyspace.expireCycle(dbs, 1_000_000);
                done = true;
                for (Keyspace.Walk w : walks) {
                    done &= w.step(37);
                }
            }
            Map<String, String> expected = new TreeMap<>(atStart);
            assertEquals(expected, saved, "run " + run);
            times.forEach((name, n) -> assertEquals(1, n, name + " saved once"));
        }
    }

    @Test
    void shouldSeeEveryEntryAgainInTheNextSnapshotAlsoAfterOneWasAbandoned() {
        Keyspace[] dbs = Keyspace.databases(1, () -> 0, 0, 1);
        for (int i = 0; i < 100; i++) {
            dbs[0].put(key("k" + i), "v".getBytes(StandardCharsets.UTF_8), Db.NO_EXPIRY);
        }
        for (int round = 0; round < 3; round++) {
            long before = dbs[0].size();
            int[] n = {0};
            Keyspace.Walk w = dbs[0].beginSnapshot((d, k, v, at) -> n[0]++);
            if (round == 1) {
                w.abandon(); // a failed snapshot still marks every entry, so the next one sees them all
            }
            int added = 0;
            while (!w.step(10)) {
                dbs[0].put(key("new" + round + "-" + added++), "x".getBytes(StandardCharsets.UTF_8), Db.NO_EXPIRY);
            }
            assertTrue(added > 0);
            assertEquals(round == 1 ? 0 : before, n[0], "round " + round + ": the keys there when it began");
        }
    }
}
