package io.shardloop.resp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link ServerView} of set figures, for the tests of what reads one. */
final class FakeServerView implements ServerView {
    long connected = 3;
    long maxClients = 500;
    long idleSeconds = 0;
    long received = 9;
    long rejected = 2;
    long commands = 1234;
    long input = 5000;
    long output = 7000;
    long keys = 42;
    long timed = 7;
    long avgTtl = 61_000;
    long expired = 11;
    int keyspaceEvents;
    final ServerRates rates = new ServerRates();

    @Override
    public long startedMillis() {
        return System.currentTimeMillis() - 90_000_000L;
    }

    @Override
    public int tcpPort() {
        return 6379;
    }

    @Override
    public Map<String, String> serverFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("server_model", "fake");
        return fields;
    }

    @Override
    public long connectedClients() {
        return connected;
    }

    @Override
    public long maxMemory() {
        return 0;
    }

    @Override
    public String notifyKeyspaceEvents() {
        return io.shardloop.kv.KeyspaceEvents.render(keyspaceEvents);
    }

    @Override
    public String notifyKeyspaceEvents(String classes) {
        int f = io.shardloop.kv.KeyspaceEvents.parse(classes);
        if (f < 0) {
            return io.shardloop.kv.KeyspaceEvents.INVALID;
        }
        keyspaceEvents = f;
        return null;
    }

    @Override
    public long maxClients() {
        return maxClients;
    }

    @Override
    public long idleTimeoutSeconds() {
        return idleSeconds;
    }

    @Override
    public long connectionsReceived() {
        return received;
    }

    @Override
    public long rejectedConnections() {
        return rejected;
    }

    @Override
    public long commandsProcessed() {
        return commands;
    }

    @Override
    public long netInputBytes() {
        return input;
    }

    @Override
    public long netOutputBytes() {
        return output;
    }

    @Override
    public ServerRates rates() {
        return rates;
    }

    @Override
    public long keys() {
        return keys;
    }

    @Override
    public long timedKeys() {
        return timed;
    }

    @Override
    public long averageTtl() {
        return avgTtl;
    }

    /** One database: the figures above are database 0's. */
    @Override
    public int databases() {
        return 1;
    }

    @Override
    public long keys(int db) {
        return keys;
    }

    @Override
    public long timedKeys(int db) {
        return timed;
    }

    @Override
    public long averageTtl(int db) {
        return avgTtl;
    }

    @Override
    public long expiredKeys() {
        return expired;
    }

    @Override
    public void resetStats() {
        commands = 0;
    }

    @Override
    public List<String> ownSections() {
        return List.of("extra");
    }

    @Override
    public void appendSection(String name, StringBuilder out) {
        out.append("extra_field:1\r\n");
    }

    @Override
    public io.shardloop.kv.BlockedClients blockedClients() {
        return new io.shardloop.kv.BlockedClients();
    }
}
