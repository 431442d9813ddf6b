package io.shardloop.resp;

import io.shardloop.kv.Slots;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A RESP server on a real shard group, on an ephemeral port of 127.0.0.1, for the end-to-end tests. */
final class RespTestServer implements AutoCloseable {
    final Server server;
    final ShardGroup group;
    final StateMode mode;
    final int shards;

    private RespTestServer(Server server, StateMode mode, int shards) {
        this.server = server;
        this.group = server.group();
        this.mode = mode;
        this.shards = shards;
    }

    static RespTestServer start(StateMode mode, int shards) throws IOException {
        return start(mode, shards, null);
    }

    static RespTestServer start(StateMode mode, int shards, String requirePass) throws IOException {
        Server server = Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP).state(mode)
                .runtime(RuntimeConfig.builder(shards).pin(false).build()).requirePass(requirePass).build());
        return new RespTestServer(server, mode, shards);
    }

    int port() {
        return server.port(ServedProtocol.RESP);
    }

    /** The shard that owns a key in sharded mode (the same slot split the server uses). */
    int ownerOf(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return Slots.ownerOf(b, 0, b.length, shards);
    }

    /** {@code perShard} keys with the prefix owned by each shard, shard by shard. */
    List<String> keysOnEveryShard(String prefix, int perShard) {
        List<List<String>> byShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            byShard.add(new ArrayList<>());
        }
        for (int i = 0; byShard.stream().anyMatch(l -> l.size() < perShard); i++) {
            String k = prefix + i;
            List<String> l = byShard.get(ownerOf(k));
            if (l.size() < perShard) {
                l.add(k);
            }
        }
        List<String> all = new ArrayList<>();
        byShard.forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {
        server.close();
    }

    /** Reads one whole RESP reply from a raw socket, as text with CRLFs kept (arrays flattened). */
    static String readReply(InputStream in) throws IOException {
        StringBuilder out = new StringBuilder();
        readInto(in, out);
        return out.toString();
    }

    private static void readInto(InputStream in, StringBuilder out) throws IOException {
        String line = readLine(in);
        out.append(line).append("\r\n");
        char type = line.charAt(0);
        if (type == '$' && !line.equals("$-1")) {
            int n = Integer.parseInt(line.substring(1));
            byte[] b = in.readNBytes(n + 2);
            out.append(new String(b, StandardCharsets.ISO_8859_1));
        } else if (type == '*' && !line.equals("*-1")) {
            int n = Integer.parseInt(line.substring(1));
            for (int i = 0; i < n; i++) {
                readInto(in, out);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }
}
