package io.shardloop.scale;

import io.shardloop.kv.StateMode;
import io.shardloop.load.LoadConfig;
import io.shardloop.baseline.ServerModel;

import java.util.Locale;

/**
 * One server the experiment measures for one protocol: shardloop in a model and state mode, or a
 * peer (redis-server for RESP, nginx for HTTP).
 *
 * @param protocol what it serves
 * @param peer     null for shardloop, else the peer's program name ("redis-server", "nginx")
 * @param model    shardloop's model (null for a peer)
 * @param state    shardloop's state mode; null for HTTP, which holds no data
 */
public record Target(LoadConfig.Protocol protocol, String peer, ServerModel model, StateMode state) {
    public Target {
        if (peer == null && model == null) {
            throw new IllegalArgumentException("a shardloop target needs a model");
        }
        if (model != null && state != null) {
            model.check(state);
        }
    }

    static Target shardloop(LoadConfig.Protocol protocol, ServerModel model, StateMode state) {
        return new Target(protocol, null, model, protocol == LoadConfig.Protocol.HTTP ? null : state);
    }

    static Target peer(LoadConfig.Protocol protocol) {
        return new Target(protocol, protocol == LoadConfig.Protocol.RESP ? "redis-server" : "nginx", null, null);
    }

    /**
     * Parses "loops+sharded", "threads+locked", "virtual" (HTTP, or RESP with the model's default
     * state), "redis" or "nginx".
     */
    static Target parse(LoadConfig.Protocol protocol, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("redis") || t.equals("redis-server") || t.equals("nginx")) {
            Target peer = peer(protocol);
            if (!peer.peer().startsWith(t.substring(0, 3))) {
                throw new IllegalArgumentException(t + " is not a peer for " + protocol.name().toLowerCase(Locale.ROOT)
                        + " (redis serves resp, nginx serves http)");
            }
            return peer;
        }
        String[] parts = t.split("\\+", 2);
        ServerModel model;
        try {
            model = ServerModel.valueOf(parts[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown server '" + text + "': give loops, threads or virtual (+sharded, "
                    + "+locked, +concurrent), redis or nginx");
        }
        StateMode state = model == ServerModel.LOOPS ? StateMode.SHARDED : StateMode.LOCKED;
        if (parts.length == 2) {
            try {
                state = StateMode.valueOf(parts[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown state in '" + text + "': sharded, locked or concurrent");
            }
        }
        return shardloop(protocol, model, state);
    }

    /** "loops+sharded", "threads+locked", "virtual" (HTTP), "redis-server", "nginx". */
    public String label() {
        if (peer != null) {
            return peer;
        }
        return state == null ? model.label() : model.label() + "+" + state.name().toLowerCase(Locale.ROOT);
    }

    public String protocolName() {
        return protocol.name().toLowerCase(Locale.ROOT);
    }
}
