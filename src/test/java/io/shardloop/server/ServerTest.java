package io.shardloop.server;

import io.shardloop.baseline.ServerModel;
import io.shardloop.http.HttpConfig;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.AddressUnavailableException;
import io.shardloop.runtime.shard.PortInUseException;
import io.shardloop.runtime.shard.RuntimeConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link Server} starts from a {@link ServerConfig}, and how it stops. */
class ServerTest {
    private static ServerConfig.Builder twoUnpinnedShards() {
        return ServerConfig.builder().runtime(RuntimeConfig.builder(2).pin(false).build());
    }

    @Test
    void shouldServeEveryProtocolOfTheLoopsModelOverOneStore() throws Exception {
        try (Server server = Server.start(twoUnpinnedShards()
                .protocols(ServedProtocol.RESP, ServedProtocol.HTTP, ServedProtocol.ECHO).build())) {
            assertEquals(2, server.group().shardCount());
            assertNotNull(server.kv());
            assertNotNull(server.http());
            assertTrue(server.threadedServers().isEmpty());
            for (ServedProtocol p : ServedProtocol.values()) {
                assertNotEquals(0, server.port(p), p + " listens on a real port");
            }
            assertEquals("+OK\r\n", exchange(server.port(ServedProtocol.RESP), "SET greeting hello\r\n", 5));
            String get = exchange(server.port(ServedProtocol.HTTP), "GET /kv/greeting HTTP/1.1\r\nHost: h\r\n"
                    + "Connection: close\r\n\r\n", -1);
            assertTrue(get.startsWith("HTTP/1.1 200") && get.endsWith("hello"), "one store, two protocols: " + get);
            assertEquals("ping", exchange(server.port(ServedProtocol.ECHO), "ping", 4));
            assertEquals(List.of("serving resp on 127.0.0.1:" + server.port(ServedProtocol.RESP) + " (state sharded)",
                    "serving http on 127.0.0.1:" + server.port(ServedProtocol.HTTP),
                    "serving echo on 127.0.0.1:" + server.port(ServedProtocol.ECHO)), server.servingLines());
        }
    }

    @Test
    void shouldOfferAsManyDatabasesAsConfiguredInEveryModel() throws Exception {
        for (ServerModel model : new ServerModel[] {ServerModel.LOOPS, ServerModel.THREADS}) {
            try (Server server = Server.start(twoUnpinnedShards().model(model).databases(4)
                    .protocols(ServedProtocol.RESP).build())) {
                int port = server.port(ServedProtocol.RESP);
                assertEquals("*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n", exchange(port, "CONFIG GET databases\r\n", 26), model.label());
                assertEquals("+OK\r\n", exchange(port, "SELECT 3\r\n", 5), model.label());
                assertEquals("-ERR DB index is out of range\r\n", exchange(port, "SELECT 4\r\n", 31), model.label());
            }
        }
    }

    @Test
    void shouldPublishTheConfiguredKeyspaceEventsInEveryModel() throws Exception {
        for (ServerModel model : new ServerModel[] {ServerModel.LOOPS, ServerModel.THREADS}) {
            try (Server server = Server.start(twoUnpinnedShards().model(model).notifyKeyspaceEvents("Kg$")
                    .protocols(ServedProtocol.RESP).build());
                 io.shardloop.testing.RawResp sub = new io.shardloop.testing.RawResp(server.port(ServedProtocol.RESP), 20_000);
                 io.shardloop.testing.RawResp writer = new io.shardloop.testing.RawResp(server.port(ServedProtocol.RESP))) {
                sub.call("SUBSCRIBE", "__keyspace@0__:k");
                writer.call("SET", "k", "v");
                writer.call("DEL", "k");
                assertEquals("*3 [$7 message, $16 __keyspace@0__:k, $3 set]", sub.read(), model.label());
                assertEquals("*3 [$7 message, $16 __keyspace@0__:k, $3 del]", sub.read(), model.label());
            }
        }
    }

    @Test
    void shouldStopListeningOnEveryPortWhenClosed() throws Exception {
        Server server = Server.start(twoUnpinnedShards().build());
        int resp = server.port(ServedProtocol.RESP);
        int http = server.port(ServedProtocol.HTTP);
        assertEquals(List.of(), server.stop(), "no shard left behind");
        assertEquals(List.of(), server.stop(), "stopping twice is harmless");
        server.close();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", resp).close());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", http).close());
    }

    @Test
    void shouldServeAThreadPerConnectionModelOverALockedStoreUnlessToldOtherwise() throws Exception {
        try (Server server = Server.start(twoUnpinnedShards().model(ServerModel.VIRTUAL).build())) {
            assertEquals(StateMode.LOCKED, server.config().state());
            assertNull(server.group());
            assertEquals(2, server.threadedServers().size());
            assertEquals("+OK\r\n", exchange(server.port(ServedProtocol.RESP), "SET k v\r\n", 5));
            assertTrue(exchange(server.port(ServedProtocol.HTTP), "GET /plaintext HTTP/1.1\r\nHost: h\r\n"
                    + "Connection: close\r\n\r\n", -1).startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void shouldReleaseWhatItBoundWhenALaterPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            ServerConfig config = twoUnpinnedShards().protocols(ServedProtocol.ECHO, ServedProtocol.RESP)
                    .respPort(taken.getLocalPort()).build();
            PortInUseException e = assertThrows(PortInUseException.class, () -> Server.start(config));
            assertEquals(taken.getLocalPort(), e.address().getPort());
        }
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.LOOPS}) {
            try (ServerSocket taken = new ServerSocket()) {
                taken.bind(new InetSocketAddress("127.0.0.1", 0));
                int free;
                try (ServerSocket probe = new ServerSocket(0)) {
                    free = probe.getLocalPort();
                }
                ServerConfig config = twoUnpinnedShards().model(model).state(StateMode.CONCURRENT).respPort(free)
                        .httpPort(taken.getLocalPort()).build();
                assertThrows(PortInUseException.class, () -> Server.start(config), model.label());
                // The first endpoint was bound before the second failed: it must be free again.
                try (ServerSocket again = new ServerSocket()) {
                    again.bind(new InetSocketAddress("127.0.0.1", free));
                }
            }
        }
    }

    @Test
    void shouldTellAnAddressThatIsNotThisMachinesFromAPortInUse() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): on no interface of a test machine.
        for (ServerModel model : new ServerModel[] {ServerModel.LOOPS, ServerModel.THREADS}) {
            ServerConfig config = twoUnpinnedShards().model(model).bind("192.0.2.1").build();
            AddressUnavailableException e = assertThrows(AddressUnavailableException.class, () -> Server.start(config));
            assertEquals("192.0.2.1 is not an address of this machine (cannot assign requested address)", e.getMessage());
        }
    }

    @Test
    void shouldRefuseAConfigurationItCannotServe() {
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().protocols(List.of()).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().respPort(7000).httpPort(7000).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().respPort(65536).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().model(ServerModel.THREADS)
                .state(StateMode.SHARDED).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().model(ServerModel.THREADS)
                .protocols(ServedProtocol.ECHO).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().model(ServerModel.THREADS)
                .http(HttpConfig.defaults(Path.of("."))).build());
        assertThrows(IllegalArgumentException.class, () -> twoUnpinnedShards().maxOutstanding(1).build());
    }

    @Test
    void shouldGiveHttpKvThePasswordOfAuth() {
        ServerConfig config = twoUnpinnedShards().requirePass("s3cret").http(HttpConfig.defaults(null)).build();
        assertEquals("s3cret", config.http().requirePass());
        assertTrue(config.describe().contains("auth=required") && config.describe().contains("kv-auth=required"),
                config.describe());
    }

    /** Sends text and reads {@code length} bytes back, or to the end when {@code length} is -1. */
    private static String exchange(int port, String request, int length) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = length < 0 ? in.readAllBytes() : in.readNBytes(length);
            return new String(reply, StandardCharsets.US_ASCII);
        }
    }
}
