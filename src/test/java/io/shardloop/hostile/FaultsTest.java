package io.shardloop.hostile;

import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.loop.ExpectLoopFailures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Failures inside the server: a handler that throws, a saturated blocking pool, a large value far from its owner. */
class FaultsTest {
    /** Echoes, except that a read holding "boom" throws inside the handler. */
    private static final class ThrowingProtocol implements Protocol {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public ConnectionHandler.Factory forShard(Shard shard) {
            return connection -> new ConnectionHandler() {
                @Override
                public void onRead(ByteBuffer in) {
                    byte[] b = new byte[in.remaining()];
                    in.get(b);
                    if (new String(b, StandardCharsets.US_ASCII).contains("boom")) {
                        throw new IllegalStateException("injected failure");
                    }
                    connection.outbound().writeBytes(b);
                }

                @Override
                public void onInputClosed() {
                    connection.closeAfterFlush();
                }
            };
        }
    }

    @Test
    @ExpectLoopFailures(IllegalStateException.class)
    void shouldCloseOnlyTheConnectionWhoseHandlerThrew() throws Exception {
        try (ShardGroup group = ShardGroup.start(HostileServer.config().shards(1).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new ThrowingProtocol())));
             Socket victim = new Socket("127.0.0.1", group.port(0));
             Socket bystander = new Socket("127.0.0.1", group.port(0))) {
            victim.setSoTimeout(5_000);
            bystander.setSoTimeout(5_000);
            assertEquals("hi", echo(bystander, "hi"));
            victim.getOutputStream().write("boom".getBytes(StandardCharsets.US_ASCII));
            int r;
            try {
                r = victim.getInputStream().read();
            } catch (IOException reset) {
                r = -1;
            }
            assertEquals(-1, r, "the failing connection is closed");
            assertEquals("still here", echo(bystander, "still here"));
            assertEquals(1, group.stats().get(0).counter(NetStats.ERROR_CLOSES));
            try (Socket after = new Socket("127.0.0.1", group.port(0))) {
                after.setSoTimeout(5_000);
                assertEquals("new", echo(after, "new"), "the shard goes on accepting");
            }
        }
    }

    @Test
    void shouldAnswerALargeValueOnEveryShardWhateverOwnsIt() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build())) {
            String big = "L".repeat(300 * 1024);
            List<RespClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    clients.add(new RespClient(server.respPort())); // spread over both shards by the kernel
                }
                for (int k = 0; k < 8; k++) {
                    assertEquals("+OK", clients.get(k).call("SET", "large:" + k, big + k));
                }
                for (RespClient c : clients) {
                    for (int k = 0; k < 8; k++) {
                        assertEquals(big + k, c.call("GET", "large:" + k));
                    }
                }
            } finally {
                for (RespClient c : clients) {
                    c.close();
                }
            }
        }
    }

    private static String echo(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
