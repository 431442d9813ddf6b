package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script that holds its shard's loop: commands other shards send there are answered -BUSY
 * meanwhile, SCRIPT KILL from another shard stops it, and the shard serves again.
 */
class ScriptBusyTest {
    @Test
    void aLongScriptMakesItsShardBusyForOthersUntilScriptKill() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2)) {
            String key = server.keysOnEveryShard("busy:", 1).get(0); // owned by shard 0
            List<RawResp> opened = new ArrayList<>();
            RawResp other = null;
            for (int i = 0; i < 40 && other == null; i++) { // a connection on shard 1
                RawResp c = new RawResp(server.port(), 10_000);
                opened.add(c);
                if (c.call("INFO", "shards").contains("shard_1:") && thisConnectionShard(c) == 1) {
                    other = c;
                }
            }
            assertTrue(other != null, "no connection landed on shard 1");
            try (RawResp runner = new RawResp(server.port(), 20_000)) {
                CompletableFuture<String> script = CompletableFuture.supplyAsync(() -> {
                    try {
                        return runner.call("EVAL", "while true do end", "1", key);
                    } catch (Exception e) {
                        return e.toString();
                    }
                });
                Thread.sleep(500); // past the stall threshold (100 ms): the shard is busy from then on
                String busy = other.call("GET", key);
                assertTrue(busy.startsWith("-BUSY Redis is busy running a script"), busy);
                assertEquals("+OK", other.call("SCRIPT", "KILL"));
                assertTrue(script.get(10, TimeUnit.SECONDS).startsWith("-ERR Script killed by user"),
                        "the script stops with Redis's error");
                assertEquals("$-1", other.call("GET", key), "the shard serves again");
            }
            for (RawResp c : opened) {
                c.close();
            }
        }
    }

    private static int thisConnectionShard(RawResp c) throws Exception {
        String info = c.call("INFO", "shards");
        for (String line : info.split("\r?\n")) {
            if (line.contains("this_connection=1")) {
                return Integer.parseInt(line.substring(line.indexOf("shard_") + 6, line.indexOf(':')));
            }
        }
        return -1;
    }
}
