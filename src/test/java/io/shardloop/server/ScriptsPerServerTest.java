package io.shardloop.server;

import io.shardloop.baseline.ServerModel;
import io.shardloop.runtime.shard.RuntimeConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.LibraryInfo;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.shardloop.server.DiskFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each server has its own scripts, as each redis-server does: the function libraries and the
 * script cache of one are not another's, though both run in one JVM (as the tests start many), on
 * the loops or on a thread per connection.
 */
class ScriptsPerServerTest {
    @Test
    void shouldKeepEachServersLibrariesAndScriptsToItself() throws Exception {
        ServerConfig loops = ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(2).pin(false).build()).build(); // nothing on disk to share either
        ServerConfig threads = ServerConfig.builder().protocols(ServedProtocol.RESP).model(ServerModel.THREADS).build();
        try (Server a = Server.start(loops); Server b = Server.start(loops); Server c = Server.start(threads); Jedis ja = client(a); Jedis jb = client(b); Jedis jc = client(c)) {
            ja.functionLoad(library("mine", "of a"));
            String sha = ja.scriptLoad("return 'a'");
            for (Jedis other : List.of(jb, jc)) {
                assertEquals(Map.of(), libraries(other), "another server in the same JVM has none of them");
                JedisDataException e = assertThrows(JedisDataException.class,
                        () -> other.fcall("minef", List.of(), List.of()));
                assertEquals("ERR Function not found", e.getMessage());
                assertEquals(false, other.scriptExists(sha), "nor its script cache");
            }
            assertEquals("mine", jb.functionLoad(library("mine", "of b")), "the same name is free there");
            assertEquals("mine", jc.functionLoad(library("mine", "of c")));
            assertEquals(Map.of("mine", "of a"), libraries(ja));
            assertEquals(Map.of("mine", "of b"), libraries(jb));
            assertEquals(Map.of("mine", "of c"), libraries(jc));
            assertEquals("OK", jb.functionFlush());
            assertEquals(Map.of("mine", "of a"), libraries(ja), "a flush there leaves this one's");
            assertEquals(true, ja.scriptExists(sha));
        }
    }

}
