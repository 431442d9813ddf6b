package io.shardloop.cli;

import io.shardloop.kv.RdbFileWriter;
import io.shardloop.kv.RdbHeader;
import io.shardloop.persist.AofLayout;
import io.shardloop.persist.AppendLog;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shardloop check-aof}: valid sets pass, a torn tail is found and, once confirmed, cut so
 * the server loads the file even with aof-load-truncated no; damage in the middle, in a file others
 * follow, or in an RDB base is named with its offset and left alone; missing files and bad paths
 * are reported.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CheckAofCommandTest {
    private static final String SHARD0 = AofLayout.incrementalName(0, 1, 1);

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n" + out + err;
        }
    }

    private static Run run(String answers, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        ((CheckAofCommand) cli.getSubcommands().get("check-aof").getCommand()).answers =
                new ByteArrayInputStream(answers.getBytes(StandardCharsets.US_ASCII));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run check(Path path) {
        return run("", "check-aof", path.toString());
    }

    private static Run fix(Path path, String answers) {
        return run(answers, "check-aof", "--fix", path.toString());
    }

    /** One command in RESP, as the log holds it. */
    private static String resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    /** Shard 0 of 1 in {@code dir}: the pointer file, a manifest naming {@code files} in order, and their contents. */
    private void shard(List<String> names, List<String> contents) throws IOException {
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            manifest.append("file ").append(name).append(" seq ").append(i + 1)
                    .append(name.endsWith(".rdb") ? " type b\n" : " type i\n");
            if (contents.get(i) != null) {
                Files.write(dir.resolve(name), contents.get(i).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        Files.writeString(dir.resolve(AofLayout.manifestName(0, 1)), manifest);
        Files.writeString(dir.resolve(AofLayout.SHARDS_FILE), "shards 1\n");
    }

    private static Server start(Path dir, int shards, boolean loadTruncated) throws IOException {
        PersistenceConfig persistence = PersistenceConfig.defaults().withAppendOnly(true)
                .withFsync(AppendLog.Fsync.ALWAYS).withDir(dir).withLoadTruncated(loadTruncated);
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(shards).pin(false).build()).persistence(persistence).build());
    }

    private static Jedis client(Server server) {
        return new Jedis("127.0.0.1", server.port(ServedProtocol.RESP), 10_000);
    }

    @Test
    void shouldFindEveryShardsFilesValidInADirectoryAServerWrote() throws Exception {
        try (Server server = start(dir, 2, true); Jedis j = client(server)) {
            for (int i = 0; i < 50; i++) {
                j.set("k" + i, "v" + i);
            }
            j.select(3);
            Transaction tx = j.multi();
            tx.set("{t}a", "1");
            tx.incr("{t}b");
            tx.exec();
        }
        Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
        Run r = check(appendDir);
        assertEquals(0, r.code(), r.toString());
        for (int k = 0; k < 2; k++) {
            String incr = AofLayout.incrementalName(k, 2, 1);
            assertTrue(r.out().contains("Start checking Multi Part AOF " + AofLayout.manifestName(k, 2)), r.toString());
            assertTrue(r.out().contains("AOF analyzed: filename=" + incr + ", size=" + Files.size(appendDir.resolve(incr))
                    + ", ok_up_to=" + Files.size(appendDir.resolve(incr))), r.toString());
            assertTrue(r.out().contains("INCR AOF " + incr + " is valid"), r.toString());
        }
        assertTrue(r.out().contains("All the AOF files and manifests of the 2 shards are valid"), r.toString());
        assertEquals(0, check(appendDir.resolve(AofLayout.manifestName(1, 2))).code());
        assertEquals(0, check(appendDir.resolve(AofLayout.incrementalName(1, 2, 1))).code());
    }

    @Test
    void shouldFindFilesHoldingFunctionLibrariesValid() throws Exception {
        String one = "#!lua name=one\nredis.register_function('onef', function() return 1 end)";
        String two = "#!lua name=two\nredis.register_function('twof', function() return 2 end)";
        try (Server server = start(dir, 1, true); Jedis j = client(server)) {
            j.functionLoad(one);
            j.set("k", "v");
            j.bgrewriteaof();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!j.info("persistence").contains("aof_rewrites:1")
                    || j.info("persistence").contains("aof_rewrite_in_progress:1")) {
                assertTrue(System.nanoTime() < deadline, "the compaction never ended");
                Thread.sleep(20);
            }
            j.functionLoad(two);
            j.functionDelete("one");
        }
        Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
        Path base;
        try (var files = Files.list(appendDir)) {
            base = files.filter(p -> p.getFileName().toString().endsWith(".base.rdb")).findFirst().orElseThrow();
        }
        assertTrue(Files.readString(base, StandardCharsets.ISO_8859_1).contains(one), "the base holds a function record");
        String incr = Files.readString(appendDir.resolve(AofLayout.incrementalName(0, 1, 2)), StandardCharsets.ISO_8859_1);
        assertTrue(incr.contains("FUNCTION") && incr.contains("DELETE"), "the log holds the FUNCTION commands: " + incr);
        Run r = check(appendDir);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("BASE AOF " + base.getFileName() + " is valid"), r.toString());
        assertTrue(r.out().contains("All the AOF files and manifests of the 1 shard are valid"), r.toString());
    }

    @Test
    void shouldFindATornTailAndCutItOnceConfirmedSoTheServerLoadsItWithAofLoadTruncatedNo() throws Exception {
        try (Server server = start(dir, 1, true); Jedis j = client(server)) {
            j.set("a", "1");
            j.set("b", "2");
        }
        Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
        Path incr = appendDir.resolve(SHARD0);
        long whole = Files.size(incr); // SELECT 0 and two SETs: 19 lines
        String torn = "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1";
        Files.write(incr, torn.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

        Run r = check(appendDir);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains(String.format("0x%016x: the file ends inside this command", whole)), r.toString());
        assertTrue(r.out().contains("AOF analyzed: filename=" + SHARD0 + ", size=" + (whole + torn.length())
                + ", ok_up_to=" + whole + ", ok_up_to_line=20, diff=" + torn.length()), r.toString());
        assertTrue(r.out().contains("AOF " + SHARD0 + " is not valid. Use the --fix option to try fixing it."), r.toString());

        Run no = fix(appendDir, "n\n");
        assertEquals(1, no.code(), no.toString());
        assertTrue(no.out().contains("This will shrink the AOF " + SHARD0 + " from " + (whole + torn.length())
                + " bytes, with " + torn.length() + " bytes, to " + whole + " bytes"), no.toString());
        assertTrue(no.out().contains("Continue? [y/N]: n\nAborting..."), no.toString());
        assertEquals(whole + torn.length(), Files.size(incr), "not cut without a yes");
        assertEquals(1, fix(appendDir, "").code(), "no answer is a no");

        Run yes = fix(appendDir, "y\n");
        assertEquals(0, yes.code(), yes.toString());
        assertTrue(yes.out().contains("Successfully truncated AOF " + SHARD0), yes.toString());
        assertEquals(whole, Files.size(incr));
        assertEquals(0, check(appendDir).code());
        try (Server server = start(dir, 1, false); Jedis j = client(server)) {
            assertEquals(List.of("1", "2"), j.mget("a", "b"));
            assertEquals(null, j.get("c"));
        }
    }

    @Test
    void shouldCutAnOpenMultiOrAGarbageTailBackToTheLastWholeRecord() throws Exception {
        String good = resp("SET", "a", "1") + "#TS:1700000000\r\n" + resp("SET", "b", "2");
        List<String> tails = List.of(resp("MULTI") + resp("SET", "c", "3"), "\0\0\0\0\0\0\0\0\0\0\0\0", "*2\r\n$3\r\nDEL\r\n$3\r\nxy");
        List<String> found = List.of("Reached EOF before reading EXEC for MULTI",
                "expected '*' at the start of a command, found byte 0", "the file ends inside this command");
        for (int i = 0; i < tails.size(); i++) {
            shard(List.of(SHARD0), List.of(good + tails.get(i)));
            Run r = check(dir);
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.out().contains(String.format("0x%016x: ", good.length()) + found.get(i)), r.toString());
            assertTrue(r.out().contains("ok_up_to=" + good.length() + ", ok_up_to_line=16,"), r.toString());
            assertTrue(r.out().contains("Use the --fix option"), r.toString());
            Run fixed = fix(dir, "Y\n");
            assertEquals(0, fixed.code(), fixed.toString());
            assertEquals(good, Files.readString(dir.resolve(SHARD0), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void shouldNameGarbageInTheMiddleWithItsOffsetAndNotCutIt() throws Exception {
        String before = resp("SET", "a", "1");
        String garbage = "*3\r\n$3\r\nSET\r\n!1\r\nb\r\n$1\r\n2\r\n";
        String after = resp("SET", "c", "3") + resp("MULTI") + resp("INCR", "d") + resp("EXEC");
        shard(List.of(SHARD0), List.of(before + garbage + after));
        byte[] content = Files.readAllBytes(dir.resolve(SHARD0));
        int damage = before.length() + "*3\r\n$3\r\nSET\r\n".length();

        Run r = fix(dir, "y\n");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains(String.format("0x%016x: expected '$' before an argument, found byte 33", damage)), r.toString());
        assertTrue(r.out().contains("ok_up_to=" + before.length() + ","), r.toString());
        assertTrue(r.out().contains("--fix cannot repair it: the damage at offset " + damage + " is not its tail "
                + "(a whole command starts at offset " + (before.length() + garbage.length()) + ")"), r.toString());
        assertTrue(!r.out().contains("Continue?"), "nothing is asked: " + r);
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(SHARD0)), "left as it was");
    }

    @Test
    void shouldNotCutATornFileThatAnotherFollows() throws Exception {
        String second = AofLayout.incrementalName(0, 1, 2);
        shard(List.of(SHARD0, second), List.of(resp("SET", "a", "1") + "*2\r\n$3\r\nDEL", resp("SET", "b", "2")));
        Run r = fix(dir, "y\n");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("AOF " + SHARD0 + " is not valid, and --fix cannot repair it: it is not the last file"), r.toString());
        assertTrue(r.out().contains("INCR AOF " + second + " is valid"), r.toString());
        assertEquals(1, fix(dir.resolve(SHARD0), "y\n").code(), "not cut when given alone either");
    }

    @Test
    void shouldCheckABaseRdbToItsChecksumAndNeverCutIt() throws Exception {
        RdbFileWriter w = new RdbFileWriter();
        w.header(new RdbHeader(1_700_000_000L, 1_000_000L, true));
        w.selectDb(0, 2, 1);
        w.entry("k1".getBytes(StandardCharsets.US_ASCII), "v1".getBytes(StandardCharsets.US_ASCII), RdbFileWriter.NO_EXPIRY);
        w.entry("k2".getBytes(StandardCharsets.US_ASCII), "v2".getBytes(StandardCharsets.US_ASCII), 4_000_000_000_000L);
        w.finish();
        ByteBuffer taken = w.take();
        byte[] rdb = new byte[taken.remaining()];
        taken.get(rdb);
        String base = AofLayout.baseName(0, 1, 1);
        String incr = AofLayout.incrementalName(0, 1, 1);
        shard(List.of(base, incr), List.of(new String(rdb, StandardCharsets.ISO_8859_1), resp("SET", "a", "1")));
        Run r = check(dir);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Start to check BASE AOF (RDB format)."), r.toString());
        assertTrue(r.out().contains("[offset " + rdb.length + "] \\o/ RDB looks OK! \\o/\n[info] 2 keys read\n[info] 1 expires\n"
                + "BASE AOF " + base + " is valid"), r.toString());

        byte[] flipped = rdb.clone();
        flipped[rdb.length - 10] ^= 0x01; // the last value's last byte, before the EOF opcode and the checksum
        Files.write(dir.resolve(base), flipped);
        r = fix(dir, "y\n");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("--- RDB ERROR DETECTED ---\n[offset " + (rdb.length - 8) + "] RDB CRC error"), r.toString());
        assertTrue(r.out().contains("BASE AOF " + base + " is not valid, and --fix cannot repair it"), r.toString());
        assertArrayEquals(flipped, Files.readAllBytes(dir.resolve(base)));

        Files.write(dir.resolve(base), java.util.Arrays.copyOf(rdb, rdb.length - 5));
        r = check(dir.resolve(base));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("] Unexpected EOF reading RDB file"), r.toString());
    }

    @Test
    void shouldReportAFileTheManifestNamesThatIsMissing() throws Exception {
        String second = AofLayout.incrementalName(0, 1, 2);
        shard(List.of(SHARD0, second), java.util.Arrays.asList(resp("SET", "a", "1"), null));
        Run r = check(dir);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("Cannot open file " + dir.resolve(second).toAbsolutePath() + ": No such file or directory"),
                r.toString());
        assertTrue(r.out().contains("INCR AOF " + SHARD0 + " is valid"), r.toString());
        assertTrue(r.out().contains("1 of the 1 shards' AOF files are not valid"), r.toString());
    }

    @Test
    void shouldCheckEveryShardOfTheSetInUseAndOnlyThatSet() throws Exception {
        for (int k = 0; k < 3; k++) {
            String incr = AofLayout.incrementalName(k, 3, 1);
            Files.writeString(dir.resolve(AofLayout.manifestName(k, 3)), "file " + incr + " seq 1 type i\n");
            Files.writeString(dir.resolve(incr), resp("SET", "k" + k, "v") + (k == 1 ? "*1\r\n$4\r\nEX" : ""));
        }
        Files.writeString(dir.resolve(AofLayout.manifestName(0, 2)), "file left-behind seq 1 type i\n");
        Files.writeString(dir.resolve(AofLayout.SHARDS_FILE), "shards 3\n");
        Run r = check(dir);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("Checking the AOF files of 3 shards in " + dir), r.toString());
        assertTrue(r.out().contains("INCR AOF " + AofLayout.incrementalName(0, 3, 1) + " is valid"), r.toString());
        assertTrue(r.out().contains("AOF " + AofLayout.incrementalName(1, 3, 1) + " is not valid."), r.toString());
        assertTrue(r.out().contains("INCR AOF " + AofLayout.incrementalName(2, 3, 1) + " is valid"), r.toString());
        assertTrue(r.out().contains("1 of the 3 shards' AOF files are not valid"), r.toString());
        assertTrue(!r.out().contains("left-behind"), r.toString());

        Run fixed = fix(dir, "y\n");
        assertEquals(0, fixed.code(), fixed.toString());
        assertTrue(fixed.out().contains("All the AOF files and manifests of the 3 shards are valid"), fixed.toString());
    }

    @Test
    void shouldRefuseABadPathInOneLine() throws Exception {
        Run missing = check(dir.resolve("nowhere"));
        assertEquals(1, missing.code());
        assertEquals("shardloop check-aof: no such file or directory: " + dir.resolve("nowhere") + "\n", missing.err());

        Files.createDirectories(dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR));
        Run empty = check(dir);
        assertEquals(1, empty.code());
        assertEquals("shardloop check-aof: " + dir + " holds no shard's manifest (appendonly-s<k>of<n>.aof.manifest)"
                + " (the append-only directory is " + dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR) + ")\n", empty.err());

        Files.writeString(dir.resolve(AofLayout.SHARDS_FILE), "three\n");
        Files.writeString(dir.resolve(AofLayout.manifestName(0, 1)), "file x seq 1 type i\n");
        Run pointer = check(dir);
        assertEquals(1, pointer.code());
        assertTrue(pointer.err().startsWith("shardloop check-aof: bad ") && pointer.err().lines().count() == 1, pointer.err());

        Files.writeString(dir.resolve("bad.manifest"), "file x seq one type i\n");
        Run manifest = check(dir.resolve("bad.manifest"));
        assertEquals(1, manifest.code());
        assertTrue(manifest.out().contains("Invalid AOF manifest file format: bad.manifest line 1 (seq 'one' is not a number)"),
                manifest.toString());

        Run usage = run("", "check-aof");
        assertEquals(2, usage.code());
        assertEquals(1, usage.err().lines().count(), usage.err());
    }

    @Test
    void shouldReportAnEmptyFileAsEmptyAndValid() throws Exception {
        shard(List.of(SHARD0), List.of(""));
        Run r = check(dir);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("INCR AOF " + SHARD0 + " is empty"), r.toString());
    }
}
