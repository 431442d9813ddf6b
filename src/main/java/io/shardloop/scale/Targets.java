package io.shardloop.scale;

import io.shardloop.load.LoadConfig;

import java.util.ArrayList;
import java.util.List;

/** The servers of an experiment: the default sets, and the selection from the command line. */
public final class Targets {
    /** Every RESP combination of model and state the full run measures. */
    public static final String FULL_RESP = "loops+sharded,loops+locked,loops+concurrent,threads+locked,virtual+concurrent";
    /** The quick run's RESP set: still every model, and both shared-state stores. */
    public static final String QUICK_RESP = "loops+sharded,loops+locked,threads+locked,virtual+concurrent";
    /** HTTP holds no data, so only the model varies. */
    public static final String HTTP = "loops,threads,virtual";

    private Targets() {
    }

    /**
     * The targets in run order: per protocol, the named shardloop servers, then the peer when asked
     * for and installed (a note says when it is not).
     */
    public static List<Target> select(List<LoadConfig.Protocol> protocols, List<String> resp, List<String> http,
                                      boolean peers, List<String> notes) {
        List<Target> targets = new ArrayList<>();
        for (LoadConfig.Protocol protocol : protocols) {
            for (String name : protocol == LoadConfig.Protocol.RESP ? resp : http) {
                Target t = Target.parse(protocol, name);
                if (!targets.contains(t)) {
                    targets.add(t);
                }
            }
            if (peers) {
                Target peer = Target.peer(protocol);
                if (which(peer.peer()) != null) {
                    targets.add(peer);
                } else {
                    notes.add(peer.peer() + " is not installed: no " + peer.protocolName() + " peer in this run");
                }
            }
        }
        return targets;
    }

    /** A program's path, or null when it is not installed. */
    public static String which(String program) {
        return Which.find(program);
    }
}
