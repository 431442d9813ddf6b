package io.shardloop.hostile;

import io.shardloop.kv.KvShard;
import io.shardloop.kv.Slots;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.mailbox.MailboxStats;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;
import io.shardloop.testing.Await;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands between shards under floods an honest but busy client makes: large values, deep
 * pipelines, many connections, clients that never read. Every reply must arrive, whole and right;
 * nobody is refused; a command split over shards runs everywhere. The mailbox is given little
 * credit on purpose, so the waiting paths run hard.
 */
class CrossShardFlowTest {
    private static final int TIMEOUT_SECONDS = 60;

    /** RESP and HTTP /kv over one sharded store on two shards, with the given mailbox. */
    private record TwoShards(Server server) implements AutoCloseable {
        static TwoShards start(MailboxConfig mailbox) throws IOException {
            return new TwoShards(Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP, ServedProtocol.HTTP)
                    .state(StateMode.SHARDED).runtime(HostileServer.config().mailbox(mailbox).build()).build()));
        }

        int respPort() {
            return server.port(ServedProtocol.RESP);
        }

        int httpPort() {
            return server.port(ServedProtocol.HTTP);
        }

        long kv(int counter) {
            long sum = 0;
            for (int i = 0; i < server.group().shardCount(); i++) {
                sum += server.kv().serviceOrNull(i).counters().get(counter);
            }
            return sum;
        }

        long mailbox(int counter) {
            long sum = 0;
            for (int i = 0; i < server.group().shardCount(); i++) {
                sum += server.group().stats().get(i).mailboxCounter(counter);
            }
            return sum;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static MailboxConfig tight() {
        return MailboxConfig.defaults().withRingCapacity(64 * 1024).withCredits(16).withCreditBytes(64 * 1024)
                .withReplyBacklogBytes(64 * 1024);
    }

    /** Keys owned by shard {@code shard} of two. */
    private static List<String> keysOf(int shard, String prefix, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String k = prefix + i;
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            if (Slots.ownerOf(b, 0, b.length, 2) == shard) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static String value(String key, int size) {
        StringBuilder sb = new StringBuilder(size);
        while (sb.length() < size) {
            sb.append(key).append(':');
        }
        return sb.substring(0, size);
    }

    @Test
    void shouldAnswerEveryDeepPipelineOfLargeValuesFromTheOtherShard() throws Exception {
        try (TwoShards server = TwoShards.start(MailboxConfig.defaults())) {
            // Both shards' keys: whichever shard the client lands on, half its GETs cross.
            List<String> keys = new ArrayList<>(keysOf(0, "big", 250));
            keys.addAll(keysOf(1, "big", 250));
            try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                for (String k : keys) {
                    p.send("SET", k, value(k, 4000));
                }
                for (String k : keys) {
                    assertEquals("OK", p.value());
                }
                int rounds = 40; // 20,000 GETs of 4,000 bytes sent ahead of their replies: tens of MB in flight
                Future<?> writer = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        for (String k : keys) {
                            p.send("GET", k);
                        }
                    }
                    return null;
                });
                for (int r = 0; r < rounds; r++) {
                    for (String k : keys) {
                        assertEquals(value(k, 4000), p.value(), "GET " + k + " in round " + r);
                    }
                }
                writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldAnswerManyConnectionsWithLargeValuesWithoutRefusingAny() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            int clients = 50;
            List<Callable<Void>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                work.add(() -> {
                    try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                        List<String> keys = new ArrayList<>(keysOf(id % 2, "c" + id + "-", 20));
                        for (String k : keys) {
                            p.send("SET", k, value(k, 30_000));
                            p.send("GET", k);
                        }
                        for (String k : keys) {
                            assertEquals("OK", p.value(), "SET " + k);
                            assertEquals(value(k, 30_000), p.value(), "GET " + k);
                        }
                    }
                    return null;
                });
            }
            runAll(work);
            assertTrue(server.kv(KvShard.CREDIT_WAITS) > 0, "the credit ran out and commands waited");
            assertTrue(server.mailbox(MailboxStats.LARGE) > 0, "values longer than a ring record crossed");
        }
    }

    @Test
    void shouldNeverAnswerBusyToHonestClientsWithDeepPipelines() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            int clients = 200; // 25,600 commands in flight at once, half of them for the other shard
            int depth = 128;
            int rounds = 3;
            List<Callable<Void>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                work.add(() -> {
                    try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                        for (int r = 0; r < rounds; r++) {
                            for (int i = 0; i < depth; i++) {
                                String k = "k" + ((id * 7919 + r * depth + i) % 10_000);
                                if (i % 2 == 0) {
                                    p.send("SET", k, k);
                                } else {
                                    p.send("GET", k);
                                }
                            }
                            for (int i = 0; i < depth; i++) {
                                String reply = p.value();
                                assertTrue(reply == null || !reply.startsWith("-"), "reply " + reply);
                            }
                        }
                    }
                    return null;
                });
            }
            runAll(work);
            assertTrue(server.kv(KvShard.CREDIT_WAITS) > 0, "the credit ran out and commands waited");
        }
    }

    @Test
    void shouldServeAnHonestClientWhileOthersHoldDeepPipelinesTheyNeverRead() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            List<String> remote = new ArrayList<>(keysOf(0, "r", 50));
            remote.addAll(keysOf(1, "r", 50));
            try (RawResp setup = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                for (String k : remote) {
                    setup.send("SET", k, value(k, 10)); // small: a hog's line fills before its socket does
                }
                for (String k : remote) {
                    assertEquals("OK", setup.value());
                }
            }
            List<Socket> hogs = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                for (int h = 0; h < 12; h++) {
                    Socket s = new Socket("127.0.0.1", server.respPort());
                    hogs.add(s);
                    pool.submit(() -> {
                        OutputStream out = new BufferedOutputStream(s.getOutputStream());
                        while (!stop.get()) {
                            for (String k : remote) {
                                out.write(RawResp.encode("GET", k));
                            }
                            out.flush(); // blocks once the server stops reading: the hog never reads
                        }
                        return null;
                    });
                }
                Await.until("the hogs use up the credit towards the other shard", Duration.ofSeconds(30),
                        () -> server.kv(KvShard.CREDIT_WAITS) > 0);
                try (RawResp honest = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                    for (int i = 0; i < 200; i++) {
                        String k = remote.get(i % remote.size());
                        honest.send("GET", k);
                        assertEquals(value(k, 10), honest.value(), "honest GET " + k);
                    }
                }
            } finally {
                stop.set(true);
                for (Socket s : hogs) {
                    s.close();
                }
                pool.shutdownNow();
            }
        }
    }

    @Test
    void shouldRunEverySplitMsetOnEveryShardItTouches() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            int clients = 40;
            int perClient = 250;
            List<Callable<Void>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                work.add(() -> {
                    try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                        for (int i = 0; i < perClient; i++) {
                            List<String> args = new ArrayList<>(List.of("MSET"));
                            for (String k : List.of(keysOf(0, "m" + id + "-" + i + "-", 2).getFirst(),
                                    keysOf(1, "m" + id + "-" + i + "-", 2).getFirst())) {
                                args.add(k);
                                args.add("v" + i);
                            }
                            p.send(args.toArray(String[]::new));
                        }
                        for (int i = 0; i < perClient; i++) {
                            assertEquals("OK", p.value(), "MSET " + i + " of client " + id);
                        }
                    }
                    return null;
                });
            }
            runAll(work);
            try (RawResp check = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                for (int c = 0; c < clients; c++) {
                    for (int i = 0; i < perClient; i++) {
                        String k0 = keysOf(0, "m" + c + "-" + i + "-", 2).getFirst();
                        String k1 = keysOf(1, "m" + c + "-" + i + "-", 2).getFirst();
                        check.send("MGET", k0, k1);
                        assertEquals("[v" + i + ", v" + i + "]", check.value(), "both halves of MSET " + i + " of client " + c);
                    }
                }
            }
        }
    }

    @Test
    void shouldAnswerAnHttpPipelineOfLargeValuesFromTheOtherShard() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            List<String> keys = new ArrayList<>(keysOf(0, "h", 64)); // 64 from the other shard, whichever it is
            keys.addAll(keysOf(1, "h", 64));
            try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                for (String k : keys) {
                    p.send("SET", k, value(k, 32_000));
                }
                for (String k : keys) {
                    assertEquals("OK", p.value());
                }
            }
            try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                s.setSoTimeout(TIMEOUT_SECONDS * 1000);
                StringBuilder requests = new StringBuilder();
                for (String k : keys) {
                    requests.append("GET /kv/").append(k).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
                }
                s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
                InputStream in = new BufferedInputStream(s.getInputStream());
                for (String k : keys) {
                    String status = line(in);
                    assertEquals("HTTP/1.1 200 OK", status, "response for " + k);
                    int length = -1;
                    String header;
                    while (!(header = line(in)).isEmpty()) {
                        if (header.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(header.substring(15).trim());
                        }
                    }
                    assertEquals(32_000, length);
                    assertEquals(value(k, 32_000), new String(in.readNBytes(length), StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void shouldServeEveryWaiterInTurnWithOneCredit() throws Exception {
        // One request in flight at a time: every other one waits in line, most behind someone who waits too.
        MailboxConfig one = MailboxConfig.defaults().withCredits(1);
        try (TwoShards server = TwoShards.start(one)) {
            List<String> keys = new ArrayList<>(keysOf(0, "w", 10));
            keys.addAll(keysOf(1, "w", 10));
            List<Callable<Void>> work = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                work.add(() -> {
                    try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                        for (int round = 0; round < 20; round++) {
                            for (String k : keys) {
                                p.send("GET", k);
                            }
                            for (String k : keys) {
                                assertEquals(null, p.value(), "GET " + k);
                            }
                        }
                    }
                    return null;
                });
            }
            runAll(work);
            assertTrue(server.kv(KvShard.CREDIT_WAITS) > 0, "commands waited for the one credit");
        }
    }

    @Test
    void shouldReportWaitingCommandsInInfo() throws Exception {
        try (TwoShards server = TwoShards.start(tight())) {
            try (RawResp p = new RawResp(server.respPort(), TIMEOUT_SECONDS * 1000)) {
                p.send("INFO", "shards");
                String info = p.value();
                assertTrue(info.contains("in_flight="), info);
                assertTrue(info.contains("waiting="), info);
                assertTrue(info.contains("credit_waits="), info);
            }
            long waiting = 0;
            for (int i = 0; i < 2; i++) {
                waiting += server.server().kv().serviceOrNull(i).counters().get(KvShard.WAITING);
            }
            assertEquals(0, waiting, "nobody waits on an idle server");
        }
    }

    private static void runAll(List<Callable<Void>> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(work.size());
        try {
            List<Future<Void>> done = pool.invokeAll(work, TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Future<Void> f : done) {
                f.get(); // a cancelled one (timed out) throws here
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed by the server after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
