package io.shardloop.hostile;

import io.shardloop.http.HttpConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an idle connection costs: 10,000 connections held by another process against a 2-shard
 * server, heap (after a full GC) and direct memory measured before and after. Target: 4 KiB per
 * connection; asserted: 16 KiB, so that the test cannot be flaky.
 */
class IdleMemoryTest {
    private static final int CONNECTIONS = 10_000;
    private static final long BOUND = 16 * 1024;

    @Test
    void shouldHoldAnIdleRespConnectionInAFewKilobytes() throws Exception {
        measure(true);
    }

    @Test
    void shouldHoldAnIdleHttpConnectionInAFewKilobytes() throws Exception {
        measure(false);
    }

    private static void measure(boolean resp) throws Exception {
        long limit = openFileLimit();
        Assumptions.assumeTrue(limit >= CONNECTIONS + 2_000, "needs " + (CONNECTIONS + 2_000)
                + " open files in this process (ulimit -n), the limit is " + limit);
        HttpConfig http = HttpConfig.defaults(null).withTimeouts(Duration.ofMinutes(5), Duration.ofSeconds(10));
        try (HostileServer server = HostileServer.start(HostileServer.config().backlog(4096).build(), http, null)) {
            int port = resp ? server.respPort() : server.httpPort();
            long[] before = memory();
            Process clients = startClients(port);
            try {
                server.awaitOpenConnections(CONNECTIONS, Duration.ofSeconds(30));
                long[] after = memory();
                long heap = after[0] - before[0];
                long direct = after[1] - before[1];
                long perConnection = (heap + direct) / CONNECTIONS;
                System.out.printf("idle %s: %d connections, heap +%d bytes, direct +%d bytes: %d bytes per connection%n",
                        resp ? "RESP" : "HTTP", CONNECTIONS, heap, direct, perConnection);
                assertTrue(perConnection <= BOUND, perConnection + " bytes per idle connection");
            } finally {
                clients.getOutputStream().close();
                clients.waitFor(20, TimeUnit.SECONDS);
                clients.destroyForcibly();
            }
            server.awaitOpenConnections(0, Duration.ofSeconds(20));
        }
    }

    private static Process startClients(int port) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), IdleClients.class.getName(),
                String.valueOf(port), String.valueOf(CONNECTIONS)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("ready " + CONNECTIONS, line, "the client process did not connect");
        return p;
    }

    /** Heap used after a full collection, and direct buffer bytes. */
    private static long[] memory() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return new long[] {heap, direct};
    }

    private static long openFileLimit() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 0;
    }
}
