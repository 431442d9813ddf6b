package io.shardloop.hostile;

import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.NetStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What connections hold in all is bounded: clients that declare huge values and send them are
 * closed, largest first, once all connections together pass the server's budget, and one
 * connection's input is bounded on its own; the loops and other clients carry on.
 */
class MemoryBoundsTest {
    private static final long MB = 1 << 20;

    @Test
    void shouldCloseTheLargestClientsOnceAllOfThemHoldMoreThanTheBudget() throws Exception {
        long budget = 64 * MB;
        try (HostileServer server = HostileServer.start(HostileServer.config().maxClientMemory(budget).build());
             RespClient good = new RespClient(server.respPort())) {
            int attackers = 4;
            ExecutorService pool = Executors.newFixedThreadPool(attackers + 1);
            AtomicBoolean attacking = new AtomicBoolean(true);
            AtomicLong peak = new AtomicLong();
            try {
                List<Future<Long>> sent = new ArrayList<>();
                for (int a = 0; a < attackers; a++) {
                    // Each declares a 500 MB bulk and sends up to 200 MB of it: alone, past the budget.
                    sent.add(pool.submit(() -> sendUntilClosed(server.respPort(), 500_000_000, 200 * MB)));
                }
                Future<?> watcher = pool.submit(() -> {
                    while (attacking.get()) {
                        peak.accumulateAndGet(server.group.clientMemory(), Math::max);
                        Thread.onSpinWait();
                    }
                    return null;
                });
                for (int i = 0; i < 20; i++) {
                    assertEquals("+PONG", good.call("PING"), "a good client is served during the attack");
                }
                for (Future<Long> f : sent) {
                    long bytes = f.get(60, TimeUnit.SECONDS);
                    assertTrue(bytes < 200 * MB, "an attacker was closed after " + bytes / MB + " MB, not let run");
                }
                attacking.set(false);
                watcher.get(10, TimeUnit.SECONDS);
            } finally {
                attacking.set(false);
                pool.shutdownNow();
            }
            assertTrue(server.net(NetStats.MEMORY_EVICTIONS) >= attackers, "every attacker was closed for memory");
            assertTrue(peak.get() < 3 * budget, "connections held " + peak.get() / MB + " MB at most, budget "
                    + budget / MB + " MB");
            assertEquals("+PONG", good.call("PING"), "the good client, never large, was never closed");
            server.assertLoopsAlive();
        }
    }

    @Test
    void shouldCloseOneConnectionWhoseInputPassesItsOwnBound() throws Exception {
        ConnectionLimits limits = ConnectionLimits.defaults().withMaxInputBytes(8 * MB);
        try (HostileServer server = HostileServer.start(HostileServer.config().limits(limits).build());
             RespClient good = new RespClient(server.respPort())) {
            // Three 5 MB arguments: each within the bulk limit, together past the connection's input bound.
            long sent = sendCommandUntilClosed(server.respPort(), 3, 5 * (int) MB);
            assertTrue(sent < 15 * MB, "closed after " + sent / MB + " MB");
            assertEquals(1, server.net(NetStats.INPUT_LIMIT_CLOSES));
            assertEquals("+PONG", good.call("PING"));
        }
    }

    /** Declares a bulk of {@code declared} bytes and sends up to {@code limit} of it; returns how much went before the server closed. */
    private static long sendUntilClosed(int port, int declared, long limit) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("*2\r\n$4\r\nECHO\r\n$" + declared + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return stream(out, limit);
        }
    }

    private static long sendCommandUntilClosed(int port, int arguments, int size) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("*" + (arguments + 1) + "\r\n$4\r\nMSET\r\n").getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            byte[] chunk = new byte[(int) MB];
            try {
                for (int a = 0; a < arguments; a++) {
                    out.write(("$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int left = size; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, Math.min(left, chunk.length));
                        sent += Math.min(left, chunk.length);
                    }
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException closed) {
                return sent;
            }
            s.setSoTimeout(10_000);
            return s.getInputStream().read() < 0 ? sent : Long.MAX_VALUE;
        }
    }

    private static long stream(OutputStream out, long limit) {
        byte[] chunk = new byte[(int) MB];
        long sent = 0;
        try {
            while (sent < limit) {
                out.write(chunk);
                sent += chunk.length;
            }
        } catch (IOException closed) {
            return sent;
        }
        return sent;
    }
}
