package io.shardloop.resp;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;

/**
 * The clients CLIENT LIST, CLIENT INFO and CLIENT KILL see: in the event-loop model each shard's
 * own ({@link ShardClients}, the others asked by message), in the thread-per-connection models
 * one concurrent registry. A front end registers each client it lets in and removes it when it
 * goes.
 */
public interface ClientDirectory {
    void add(ClientHandle c);

    void remove(ClientHandle c);

    /** The client with this id registered here, or null. */
    ClientHandle find(long id);

    /**
     * Runs a valid CLIENT LIST or CLIENT KILL ({@code a}, read into {@code f}): writes its reply into {@code out} now, or takes a
     * place from {@code later} and completes it once every shard has answered ({@code later} null:
     * now, over what this directory holds).
     *
     * @return true when the asker killed itself: it closes once its reply is written
     */
    boolean run(ClientFilter f, CommandArgs a, ReplySink out, LaterReply later);

    /** The lines of the clients matched, each ending in a line feed. */
    static String lines(Iterable<ClientHandle> clients, ClientFilter f, long nowMillis) {
        StringBuilder b = new StringBuilder();
        for (ClientHandle c : clients) {
            if (f.matches(c, nowMillis)) {
                b.append(ClientLine.of(c, nowMillis)).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Kills the clients matched but the asker (which closes after its reply) and counts them all.
     * The matches are gathered first: killing one removes it from {@code clients}.
     */
    static long kill(Iterable<ClientHandle> clients, ClientFilter f, long nowMillis) {
        java.util.List<ClientHandle> matched = new java.util.ArrayList<>();
        for (ClientHandle c : clients) {
            if (f.matches(c, nowMillis)) {
                matched.add(c);
            }
        }
        for (ClientHandle c : matched) {
            if (c.session().id() != f.asker()) {
                c.kill();
            }
        }
        return matched.size();
    }

    /** CLIENT LIST's reply: a verbatim text (a bulk string in RESP2). */
    static void writeList(String text, ReplySink out) {
        out.verbatim(text.getBytes(StandardCharsets.UTF_8));
    }
}
