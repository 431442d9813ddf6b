package io.shardloop.resp;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The clients of a thread-per-connection server: one registry every connection thread adds itself
 * to, ordered by id (connection order). A CLIENT LIST reads the other clients' sessions from the
 * asker's thread (their figures may be a moment old); a KILL closes their sockets, which ends
 * their threads' reads.
 * <p>
 * Thread-safe.
 */
public final class ConcurrentClients implements ClientDirectory {
    private final ConcurrentSkipListMap<Long, ClientHandle> clients = new ConcurrentSkipListMap<>();

    @Override
    public void add(ClientHandle c) {
        clients.put(c.session().id(), c);
    }

    @Override
    public void remove(ClientHandle c) {
        clients.remove(c.session().id());
    }

    @Override
    public ClientHandle find(long id) {
        return clients.get(id);
    }

    @Override
    public boolean run(ClientFilter f, CommandArgs a, ReplySink out, LaterReply later) {
        long now = System.currentTimeMillis();
        if (!f.kill()) {
            ClientDirectory.writeList(f.listText(ClientDirectory.lines(clients.values(), f, now)), out);
            return false;
        }
        ClientHandle asker = clients.get(f.asker());
        f.writeKillReply(ClientDirectory.kill(clients.values(), f, now), out);
        return asker != null && f.matches(asker, now);
    }
}
