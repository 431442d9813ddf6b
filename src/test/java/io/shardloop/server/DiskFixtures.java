package io.shardloop.server;

import io.shardloop.kv.Slots;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.LibraryInfo;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the tests of what is kept on disk share: clients, INFO persistence, keys placed on a shard, raw RESP, libraries. */
final class DiskFixtures {
    private DiskFixtures() {
    }

    static Jedis client(Server server) {
        return new Jedis("127.0.0.1", server.port(ServedProtocol.RESP), 10_000);
    }

    /** INFO persistence as field to value. */
    static Map<String, String> info(Jedis j) {
        Map<String, String> out = new TreeMap<>();
        for (String line : j.info("persistence").split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    /** Waits (20 s at most) until INFO persistence's {@code field} is {@code value}. */
    static void awaitField(Jedis j, String field, String value) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!value.equals(info(j).get(field))) {
            assertTrue(System.nanoTime() < deadline, field + " never became " + value + ": " + info(j));
            Thread.sleep(20);
        }
    }

    /** A key named {@code prefix} and a hash tag that shard {@code shard} of {@code shards} owns. */
    static String keyOn(int shard, int shards, String prefix) {
        for (int i = 0; ; i++) {
            String k = "{" + prefix + i + "}" + prefix;
            byte[] b = k.getBytes(StandardCharsets.US_ASCII);
            if (Slots.ownerOf(b, 0, b.length, shards) == shard) {
                return k;
            }
        }
    }

    /** A raw connection, 5 s read timeout, checked with a PING. */
    static Socket connect(Server server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port(ServedProtocol.RESP));
        s.setSoTimeout(5_000);
        send(s, "PING");
        assertEquals("+PONG\r\n", read(s, 7));
        return s;
    }

    /** One command as a RESP array of bulk strings. */
    static void send(Socket s, String... args) throws IOException {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        s.getOutputStream().write(b.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    static String read(Socket s, int bytes) throws IOException {
        return new String(s.getInputStream().readNBytes(bytes), StandardCharsets.US_ASCII);
    }

    /** A library named {@code name} with one function, {@code name + "f"}, returning {@code value}. */
    static String library(String name, String value) {
        return "#!lua name=" + name + "\nredis.register_function('" + name + "f', function() return '" + value + "' end)";
    }

    /** Each library's name and what its function returns, by name. */
    static Map<String, Object> libraries(Jedis j) {
        Map<String, Object> out = new TreeMap<>();
        for (LibraryInfo l : j.functionList()) {
            out.put(l.getLibraryName(), j.fcall(l.getLibraryName() + "f", List.of(), List.of()));
        }
        return out;
    }
}
