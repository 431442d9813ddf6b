package io.shardloop.persist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cut that keeps a transaction over several shards whole or drops it: computed over parts
 * (missing partners, chains of cuts across shards), and read from and applied to real files.
 */
class TransactionCutTest {
    @TempDir
    Path dir;

    /** A shard's parts, each {transaction, parts}, at offsets 10, 20, 30... of its first file. */
    private static List<TransactionCut.Part> shard(long[]... parts) {
        List<TransactionCut.Part> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            out.add(new TransactionCut.Part(parts[i][0], (int) parts[i][1], 0, 10L * (i + 1)));
        }
        return out;
    }

    private static long[] tx(long id, int parts) {
        return new long[] {id, parts};
    }

    /** Each shard's cut offset, -1 where it keeps all. */
    private static long[] offsets(TransactionCut.Cut[] cuts) {
        return Arrays.stream(cuts).mapToLong(c -> c == null ? -1 : c.offset()).toArray();
    }

    @Test
    void shouldKeepEveryLogWholeWhenEveryTransactionHasAllItsParts() {
        TransactionCut.Cut[] cuts = TransactionCut.compute(Set.of(), List.of(
                shard(tx(1, 2), tx(2, 3)),
                shard(tx(1, 2), tx(2, 3)),
                shard(tx(2, 3))));
        assertArrayEquals(new long[] {-1, -1, -1}, offsets(cuts));
    }

    @Test
    void shouldCutAShardAtItsFirstPartWhosePartnerIsMissing() {
        TransactionCut.Cut[] cuts = TransactionCut.compute(Set.of(), List.of(
                shard(tx(1, 2), tx(2, 2), tx(3, 2)),
                shard(tx(1, 2))));
        // 2 and 3 lack their part on shard 1: shard 0 is cut at 2, and 3 goes with it
        assertArrayEquals(new long[] {20, -1}, offsets(cuts));
        assertEquals(2, cuts[0].transaction());
        assertEquals(1, cuts[0].present());
        assertEquals(2, cuts[0].parts());
    }

    @Test
    void shouldCarryACutAcrossShardsUntilNothingMoves() {
        // 4 misses its part on shard 2: shard 0 is cut at 4, dropping 5's part there; 5 is then not
        // whole, so shard 1 is cut at 5, dropping 6's part there; 6 is then not whole, so shard 2 is
        // cut at 6, although every part of 6 was on disk.
        TransactionCut.Cut[] cuts = TransactionCut.compute(Set.of(), List.of(
                shard(tx(1, 3), tx(4, 2), tx(5, 2)),
                shard(tx(1, 3), tx(5, 2), tx(6, 2)),
                shard(tx(1, 3), tx(6, 2), tx(7, 1))));
        assertArrayEquals(new long[] {20, 20, 20}, offsets(cuts));
        assertEquals(6, cuts[2].transaction());
        assertEquals(2, cuts[2].present(), "6 had both parts on disk; it lost one to shard 1's cut");
    }

    @Test
    void shouldCutEarlierWhenAShardsCutDropsAPartBeforeAnotherShardsFirstCut() {
        // shard 1 alone would be cut at 9 (missing on shard 0); but shard 0 is cut at 8, which drops
        // 10's part there, and 10 comes before 9 on shard 1
        TransactionCut.Cut[] cuts = TransactionCut.compute(Set.of(), List.of(
                shard(tx(8, 2), tx(10, 2)),
                shard(tx(10, 2), tx(9, 2)),
                shard()));
        assertArrayEquals(new long[] {10, 10, -1}, offsets(cuts));
    }

    @Test
    void shouldKeepATransactionOfOnePart() {
        // a transaction of one part (a single writing shard) is whole by itself
        assertArrayEquals(new long[] {-1}, offsets(TransactionCut.compute(Set.of(), List.of(shard(tx(3, 1), tx(4, 1))))));
    }

    // ---- files ----------------------------------------------------------------------------------

    private static String set(String key, String value) {
        return "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value + "\r\n";
    }

    private static String part(long id, int parts, String... commands) {
        StringBuilder b = new StringBuilder(new String(TransactionCut.annotation(id, parts), StandardCharsets.US_ASCII));
        b.append("*1\r\n$5\r\nMULTI\r\n");
        for (String c : commands) {
            b.append(c);
        }
        return b.append("*1\r\n$4\r\nEXEC\r\n").toString();
    }

    private Path file(String name, String... records) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("", records), StandardCharsets.US_ASCII);
        return p;
    }

    @Test
    void shouldFindThePartsInTheFilesAndCutThemToAConsistentPrefix() throws IOException {
        String a1 = set("a", "1");
        String tx7 = part(7, 2, set("x", "7"), set("y", "7"));
        String tx8 = part(8, 2, set("x", "8"));
        Path s0 = file("s0.aof", a1, tx7, set("b", "2"), tx8, set("c", "3"));
        Path s1 = file("s1.aof", part(7, 2, set("z", "7")));
        Path s1second = file("s1-2.aof", set("d", "4"));
        TransactionCut cut = TransactionCut.scan(List.of(List.of(s0), List.of(s1, s1second)));
        assertEquals(8, cut.lastTransaction());
        assertNull(cut.cut(1));
        long at = (a1 + tx7 + set("b", "2")).length();
        assertEquals(at, cut.cut(0).offset(), "at 8's annotation, its partner missing");
        String note = cut.apply(DiskFiles.INSTANCE, true);
        assertTrue(note != null && note.contains("1 shard's log"), note);
        assertEquals(a1 + tx7 + set("b", "2"), Files.readString(s0, StandardCharsets.US_ASCII));
        assertEquals(part(7, 2, set("z", "7")), Files.readString(s1, StandardCharsets.US_ASCII));
        assertNull(TransactionCut.scan(List.of(List.of(s0), List.of(s1, s1second))).cut(0), "cut once, whole after");
    }

    @Test
    void shouldEmptyTheFilesAfterACutInAnEarlierFile() throws IOException {
        Path first = file("first.aof", set("a", "1"), part(3, 2, set("x", "3")));
        Path second = file("second.aof", set("b", "2"));
        TransactionCut cut = TransactionCut.scan(List.of(List.of(first, second), List.of()));
        cut.apply(DiskFiles.INSTANCE, true);
        assertEquals(set("a", "1"), Files.readString(first, StandardCharsets.US_ASCII));
        assertEquals(0, Files.size(second));
    }

    @Test
    void shouldChangeNothingAndStopWhenTruncatedLogsAreNotToBeLoaded() throws IOException {
        String content = set("a", "1") + part(3, 2, set("x", "3"));
        Path f = file("s0.aof", content);
        TransactionCut cut = TransactionCut.scan(List.of(List.of(f), List.of()));
        IOException e = assertThrows(IOException.class, () -> cut.apply(DiskFiles.INSTANCE, false));
        assertTrue(e.getMessage().contains("transaction 3 has 1 of its 2 parts") && e.getMessage().contains("aof-load-truncated"),
                e.getMessage());
        assertEquals(content, Files.readString(f, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldTreatAPartTornByTheCrashAsMissing() throws IOException {
        String whole = part(5, 2, set("x", "5"), set("y", "5"));
        Path s0 = file("s0.aof", part(5, 2, set("z", "5")));
        Path s1 = file("s1.aof", set("a", "1"), whole.substring(0, whole.length() - 6)); // EXEC cut short
        TransactionCut cut = TransactionCut.scan(List.of(List.of(s0), List.of(s1)));
        assertEquals(0, cut.cut(0).offset());
        assertNull(cut.cut(1), "the torn record is the reader's to cut");
    }

    @Test
    void shouldRefuseAMalformedTransactionAnnotation() throws IOException {
        Path f = file("s0.aof", set("a", "1"), "#TX:12\r\n", set("b", "2"));
        AofReader.CorruptException e = assertThrows(AofReader.CorruptException.class,
                () -> TransactionCut.scan(List.of(List.of(f))));
        assertEquals(set("a", "1").length(), e.offset());
    }

    // ---- the reader's annotations -----------------------------------------------------------

    @Test
    void shouldReportEachRecordsAnnotationAndStartAndSkipOthersAsRedisDoes() throws IOException {
        String first = set("a", "1");
        String redis = "#TS:1700000000\r\n";
        Path f = file("r.aof", first, redis, set("b", "2"), part(4, 3, set("c", "3"), set("d", "4")));
        List<String> seen = new ArrayList<>();
        AofReader.Outcome o = AofReader.scan(f, (start, annotation) -> seen.add(start + " " + annotation));
        assertEquals(List.of("0 null", first.length() + " TS:1700000000",
                (first.length() + redis.length() + set("b", "2").length()) + " TX:4:3"), seen);
        assertTrue(!o.truncated());
        List<Integer> commands = new ArrayList<>();
        AofReader.read(f, (cmds, transaction) -> commands.add(cmds.size()));
        assertEquals(List.of(1, 1, 2), commands, "read gives the same records, annotations left out");
    }

    @Test
    void shouldCutAFileThatEndsAfterAnAnnotationAtTheAnnotation() throws IOException {
        String kept = set("a", "1");
        for (String tail : new String[] {"#TX:9:2\r\n", "#TX:9:", "#TX:9:2\r\n*1\r\n$5\r\nMULTI\r\n" + set("x", "9")}) {
            Path f = file("t.aof", kept, tail);
            AofReader.Outcome o = AofReader.read(f, (cmds, transaction) -> { });
            assertEquals(kept.length(), o.truncatedAt(), tail);
            assertEquals(1, o.records());
        }
    }

    @Test
    void shouldWriteAnEmptyPartAsAnEmptyTransaction() throws IOException {
        Path f = file("e.aof", part(2, 2));
        List<String> seen = new ArrayList<>();
        AofReader.read(f, (cmds, transaction) -> seen.add(cmds.size() + " " + transaction));
        assertEquals(List.of("0 true"), seen);
    }

    // ---- settling --------------------------------------------------------------------------------

    @Test
    void shouldSettleNoLinkOfAChainWhoseLastLinkIsNotOnDiskYet() {
        // Every part of 1 and 3 is on disk, but 2 misses its part on shard 1: a crash now cuts
        // shard 0 at 2, which drops 3 there, then shard 1 at 3, which drops 1 there: nothing settles.
        long[][] ids = {{1, 2, 3}, {3, 1}};
        int[][] parts = {{2, 2, 2}, {2, 2}};
        assertArrayEquals(new int[] {0, 0}, TransactionCut.settledPrefixes(ids, parts));
        long[][] later = {{1, 2, 3}, {3, 1, 2}};
        int[][] laterParts = {{2, 2, 2}, {2, 2, 2}};
        assertArrayEquals(new int[] {3, 3}, TransactionCut.settledPrefixes(later, laterParts), "once 2's part is on disk too");
    }

    @Test
    void shouldSettleThePrefixBeforeTheFirstPartThatCanStillBeCut() {
        long[][] ids = {{1, 2, 4}, {1, 4}, {2}};
        int[][] parts = {{2, 3, 2}, {2, 2}, {3}};
        assertArrayEquals(new int[] {1, 1, 0}, TransactionCut.settledPrefixes(ids, parts));
    }

    @Test
    void shouldKeepAPartWhosePartnerIsInABaseWhenAMarkNamesIt() throws IOException {
        // Shard 0 folded its part of 7 into its base: no annotation of it is left in its logs.
        Path s0 = file("s0.aof", set("a", "1"));
        Path s1 = file("s1.aof", part(7, 2, set("z", "7")), "#SETTLED:6,7\r\n", set("d", "4"));
        assertNull(TransactionCut.scan(List.of(List.of(s0), List.of(s1))).cut(1));
        Path unmarked = file("s1-unmarked.aof", part(7, 2, set("z", "7")), set("d", "4"));
        assertEquals(0, TransactionCut.scan(List.of(List.of(s0), List.of(unmarked))).cut(1).offset(),
                "without the mark the part is taken for one whose partner never reached the disk");
        Path elsewhere = file("s0-marked.aof", set("a", "1"), "#SETTLED:7\r\n");
        assertNull(TransactionCut.scan(List.of(List.of(elsewhere), List.of(unmarked))).cut(1), "a mark in any shard's log");
    }

    @Test
    void shouldMarkThePartsTheLoadKeepsThatNoMarkNames() throws IOException {
        String s0Content = set("a", "1") + part(5, 2, set("x", "5")) + part(6, 2, set("x", "6")) + "#SETTLED:5\r\n";
        Path s0 = file("s0.aof", s0Content);
        Path s1 = file("s1.aof", part(6, 2, set("y", "6")), part(5, 2, set("y", "5")));
        TransactionCut cut = TransactionCut.scan(List.of(List.of(s0), List.of(s1)));
        assertNull(cut.cut(0));
        assertNull(cut.cut(1));
        cut.markKept(DiskFiles.INSTANCE);
        assertEquals(s0Content + "#SETTLED:6\r\n", Files.readString(s0, StandardCharsets.US_ASCII));
        assertTrue(Files.readString(s1, StandardCharsets.US_ASCII).endsWith(part(5, 2, set("y", "5")) + "#SETTLED:6,5\r\n"));
        TransactionCut again = TransactionCut.scan(List.of(List.of(s0), List.of(s1)));
        long size = Files.size(s1);
        again.markKept(DiskFiles.INSTANCE);
        assertEquals(size, Files.size(s1), "nothing left to mark");
    }

    @Test
    void shouldWriteMarksOnLinesRedisReads() {
        long[] ids = new long[70];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Long.MAX_VALUE - i;
        }
        String marks = new String(TransactionCut.settledMark(ids), StandardCharsets.US_ASCII);
        String[] lines = marks.split("\r\n");
        assertEquals(3, lines.length, marks);
        for (String line : lines) {
            assertTrue(line.startsWith("#SETTLED:") && line.length() < 1024, line);
        }
        assertTrue(marks.endsWith("\r\n"));
    }

    @Test
    void shouldNotTakeAFileThatEndsWithAMarkForOneCutShort() throws IOException {
        Path f = file("m.aof", set("a", "1"), "#SETTLED:3\r\n");
        AofReader.Outcome o = AofReader.read(f, (cmds, transaction) -> { });
        assertTrue(!o.truncated());
        assertEquals(1, o.records());
        Path torn = file("m2.aof", set("a", "1"), "#SETTLED:3");
        assertEquals(set("a", "1").length(), AofReader.read(torn, (cmds, transaction) -> { }).truncatedAt());
    }
}
