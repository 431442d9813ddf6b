package io.shardloop.http;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.http.file.OffloadFileReader;
import io.shardloop.runtime.offload.OffloadConfig;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that go through the runtime's offload pool (the reader of every transport without a ring
 * of its own): when the pool is full the answer is 503 and the loop goes on.
 */
class OffloadFullTest {
    @Test
    void shouldAnswer503WithRetryAfterWhileTheOffloadPoolIsFull() throws Exception {
        Path root = Files.createTempDirectory("offload-full-test");
        Files.writeString(root.resolve("a.txt"), "file a\n");
        HttpProtocol http = new HttpProtocol(HttpConfig.defaults(root), null, OffloadFileReader::new);
        // One thread, no queue: a task holding the thread fills the pool.
        RuntimeConfig config = RuntimeConfig.builder(1).pin(false).offload(new OffloadConfig(1, 0)).build();
        ShardGroup group = ShardGroup.start(config, List.of(Endpoint.of("127.0.0.1", 0, http)));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        try (RawHttp raw = new RawHttp(group.port(0))) {
            int rc = group.offload().offload(group.shard(0).loop(), () -> {
                holding.countDown();
                return release.await(30, TimeUnit.SECONDS);
            }, (r, e) -> { });
            assertEquals(OffloadPool.ACCEPTED, rc);
            assertTrue(holding.await(10, TimeUnit.SECONDS));

            raw.send("GET /static/a.txt HTTP/1.1\r\nHost: h\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response busy = raw.read();
            assertEquals(503, busy.status());
            assertEquals("1", busy.header("retry-after"));
            assertEquals("Hello, World!", raw.read().text(), "the connection and the loop carry on");
            assertEquals(1, http.counter(0, HttpStats.OFFLOAD_REJECTED));

            release.countDown();
            int status = 0;
            for (int attempt = 0; attempt < 100 && status != 200; attempt++) {
                // A new connection each time: with no queue, a read offloaded while the pool thread is
                // still on its way back from the open is refused too, and that closes the connection.
                try (RawHttp again = new RawHttp(group.port(0))) {
                    again.send("GET /static/a.txt HTTP/1.1\r\nHost: h\r\n\r\n");
                    RawHttp.Response r = again.read();
                    status = r.status();
                    if (status == 200) {
                        assertEquals("file a\n", r.text());
                    }
                } catch (IOException closedMidResponse) {
                    status = 0;
                }
                if (status != 200) {
                    Thread.sleep(20); // the pool thread is on its way back to the queue
                }
            }
            assertEquals(200, status, "served once the pool has room again");
        } finally {
            release.countDown();
            group.close();
            Files.deleteIfExists(root.resolve("a.txt"));
            Files.deleteIfExists(root);
        }
    }
}
