package io.shardloop.cli;

import io.shardloop.http.HttpConfig;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.baseline.BlockingHttpProtocol;
import io.shardloop.baseline.BlockingProtocol;
import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve --model threads|virtual}: the thread-per-connection baselines, started from the
 * same options as the event-loop server. Kept apart from {@link ServeCommand} so the event-loop
 * path there stays as it is.
 */
final class ThreadedServe {
    private static final System.Logger LOG = System.getLogger(ThreadedServe.class.getName());

    private ThreadedServe() {
    }

    static int run(ServeCommand c, PrintWriter err) {
        List<ThreadedServer> servers = new ArrayList<>();
        List<BlockingProtocol> protocols = new ArrayList<>();
        try {
            // Left unset, --state means locked here: the sharded default has no owner to route to.
            StateMode state = c.spec.commandLine().getParseResult().hasMatchedOption("--state") ? c.state : StateMode.LOCKED;
            c.model.check(state);
            ThreadedConfig base = ThreadedConfig.defaults(c.model, c.bind, 0)
                    .withLimits(c.backlog, c.maxConnections(0, c.protocols.size()), c.drainTimeout);
            for (String name : c.protocols) {
                switch (name.trim().toLowerCase(Locale.ROOT)) {
                    case "resp" -> {
                        if (c.respPort != 0) {
                            RespLimits limits = new RespLimits(Units.parseBytes(c.maxBulk), c.maxArgs,
                                    (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(c.maxInline)));
                            protocols.add(new BlockingRespProtocol(base, state, c.respConfig(limits)));
                            servers.add(ThreadedServer.start(base.withPort(c.respPort), protocols.getLast()));
                        }
                    }
                    case "http" -> {
                        if (c.httpPort != 0) {
                            if (c.root != null) {
                                throw new IllegalArgumentException("--root is served by --model loops only");
                            }
                            protocols.add(new BlockingHttpProtocol(base, HttpConfig.defaults(null).limits()));
                            servers.add(ThreadedServer.start(base.withPort(c.httpPort), protocols.getLast()));
                        }
                    }
                    default -> throw new IllegalArgumentException("--model " + c.model.label() + " serves resp and http, not '"
                            + name + "'");
                }
            }
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("nothing to serve: every protocol's port is 0");
            }
        } catch (IllegalArgumentException e) {
            closeAll(servers, protocols);
            err.println("shardloop: " + e.getMessage());
            return 2;
        } catch (BindException e) {
            closeAll(servers, protocols);
            err.println("shardloop: cannot listen: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            closeAll(servers, protocols);
            err.println("shardloop: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        for (ThreadedServer s : servers) {
            LOG.log(System.Logger.Level.INFO, "serving " + s.protocol().name() + " on " + c.bind + ":" + s.port()
                    + " (model " + c.model.label() + (s.protocol() instanceof BlockingRespProtocol
                    ? ", state " + ((BlockingRespProtocol) s.protocol()).store().mode().name().toLowerCase(Locale.ROOT) : "") + ")");
        }
        LOG.log(System.Logger.Level.INFO, "Ctrl-C to stop");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.INFO, "stopping: no new connections, draining");
        closeAll(servers, protocols);
        for (ThreadedServer s : servers) {
            LOG.log(System.Logger.Level.INFO, s.protocol().name() + ": " + s.acceptedConnections()
                    + " connections accepted, " + s.refusedConnections() + " refused over --max-connections");
        }
        return 0;
    }

    private static void closeAll(List<ThreadedServer> servers, List<BlockingProtocol> protocols) {
        for (ThreadedServer s : servers) {
            s.close();
        }
        for (BlockingProtocol p : protocols) {
            p.close();
        }
    }
}
