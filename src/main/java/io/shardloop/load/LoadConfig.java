package io.shardloop.load;

import io.shardloop.runtime.shard.Transports;
import io.shardloop.runtime.transport.Transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of one load run, checked once here.
 *
 * @param protocol       what to speak: HTTP/1.1 or RESP (Redis protocol)
 * @param target         where to send
 * @param rate           requests per second over all connections (open loop); 0 for closed loop
 * @param duration       the measured part of the run
 * @param warmup         load sent before the measured part, whose results are not counted
 * @param connections    connections over all load loops
 * @param threads        load loops (threads), connections spread round-robin over them
 * @param cpus           CPUs to pin the load loops to, in loop order; empty: unpinned
 * @param requests       stop after this many requests in the measured part (0: no limit but duration)
 * @param timeout        a request with no response this long after it was sent fails as a timeout;
 *                       also the connect timeout and the longest drain at the end
 * @param pipeline       requests one connection may have outstanding
 * @param http           HTTP request settings (used when protocol is HTTP)
 * @param resp           RESP workload settings (used when protocol is RESP)
 * @param reconnectDelay wait before reconnecting after a failed connect or a broken connection
 * @param spinWindow     how close to a scheduled send a load loop stops sleeping and polls without
 *                       blocking (its sleeps are only millisecond-precise)
 */
public record LoadConfig(Protocol protocol, InetSocketAddress target, double rate, Duration duration, Duration warmup,
                         int connections, int threads, List<Integer> cpus, long requests, Duration timeout,
                         int pipeline, HttpSettings http, RespSettings resp, Duration reconnectDelay,
                         Duration spinWindow, Transport transport) {
    /** The command line's warmup for runs of ten seconds or more: the first seconds of a cold JVM are not its steady state. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);

    public enum Protocol { HTTP, RESP }

    public enum Distribution { UNIFORM, ZIPFIAN }

    /**
     * What one RESP operation is. The last three touch {@code keysPerTransaction} keys each, drawn
     * independently (at 2 shards half the 2-key operations span both, more of the longer ones),
     * and count as one operation with one latency, however many replies it takes.
     */
    public enum Workload {
        /** SET or GET of one key, in the SET:GET ratio. */
        GETSET,
        /** MULTI, then SET and INCR in turn over the keys, then EXEC, pipelined as one unit. */
        MULTI,
        /** A script that SETs and INCRs its keys in turn, by EVALSHA (EVAL when the server lacks it). */
        EVAL,
        /** MSET or MGET of the keys, in the SET:GET ratio. */
        MSET
    }

    /**
     * @param method         request method
     * @param path           request target, starting with '/'
     * @param body           request body, empty for none (sent with a Content-Length)
     * @param expectedStatus the status a response must have to count as right
     */
    public record HttpSettings(String method, String path, String body, int expectedStatus) {
        public HttpSettings {
            if (!method.matches("[A-Z]{1,16}")) {
                throw new IllegalArgumentException("not an HTTP method: '" + method + "'");
            }
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException("the path must start with '/' and hold no spaces or controls: '" + path + "'");
            }
            if (expectedStatus < 100 || expectedStatus > 599) {
                throw new IllegalArgumentException("not an HTTP status: " + expectedStatus);
            }
        }

        public static HttpSettings get(String path) {
            return new HttpSettings("GET", path, "", 200);
        }
    }

    /**
     * @param setRatio     SETs in each {@code setRatio + getRatio} commands
     * @param getRatio     GETs in each {@code setRatio + getRatio} commands
     * @param keys         key space size: keys are {@code key:0000000000} up to {@code keys - 1}
     * @param valueSize    bytes of each SET value
     * @param distribution how keys are drawn
     * @param workload     what one operation is
     * @param keysPerTransaction keys each MULTI, EVAL, MSET or MGET operation touches
     */
    public record RespSettings(int setRatio, int getRatio, long keys, int valueSize, Distribution distribution,
                               Workload workload, int keysPerTransaction) {
        /** Most keys one operation may touch. */
        public static final int MAX_KEYS_PER_TRANSACTION = 1000;

        public RespSettings {
            if (setRatio < 0 || getRatio < 0 || setRatio + getRatio == 0) {
                throw new IllegalArgumentException("the SET:GET ratio needs non-negative parts, not both 0: "
                        + setRatio + ":" + getRatio);
            }
            if (keys < 1 || keys > 10_000_000_000L) {
                throw new IllegalArgumentException("keys must be between 1 and 10^10, got " + keys);
            }
            if (valueSize < 0 || valueSize > 64 << 20) {
                throw new IllegalArgumentException("value size must be between 0 and 64 MiB, got " + valueSize);
            }
            if (keysPerTransaction < 1 || keysPerTransaction > MAX_KEYS_PER_TRANSACTION) {
                throw new IllegalArgumentException("keys per transaction must be between 1 and "
                        + MAX_KEYS_PER_TRANSACTION + ", got " + keysPerTransaction);
            }
        }

        /** SET and GET of one key each. */
        public static RespSettings getSet(int setRatio, int getRatio, long keys, int valueSize, Distribution distribution) {
            return new RespSettings(setRatio, getRatio, keys, valueSize, distribution, Workload.GETSET, 2);
        }

        public static RespSettings defaults() {
            return getSet(1, 10, 100_000, 100, Distribution.UNIFORM);
        }

        /** The same settings with another workload of this many keys per operation. */
        public RespSettings with(Workload w, int keysPerOperation) {
            return new RespSettings(setRatio, getRatio, keys, valueSize, distribution, w, keysPerOperation);
        }

        /** Whether the SET:GET ratio applies (GETSET and MSET). */
        public boolean mixesReadsAndWrites() {
            return workload == Workload.GETSET || workload == Workload.MSET;
        }
    }

    public LoadConfig {
        cpus = List.copyOf(cpus);
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("the rate must be a positive number of requests per second, got " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the duration must be positive, got " + duration);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("the warmup cannot be negative, got " + warmup);
        }
        if (connections < 1 || threads < 1) {
            throw new IllegalArgumentException("connections and threads must be at least 1");
        }
        if (threads > connections) {
            throw new IllegalArgumentException(threads + " threads but only " + connections
                    + " connection(s): each thread needs at least one connection");
        }
        if (!cpus.isEmpty() && cpus.size() < threads) {
            throw new IllegalArgumentException(threads + " threads but only " + cpus.size() + " CPU(s) listed in " + cpus);
        }
        if (requests < 0) {
            throw new IllegalArgumentException("the request count cannot be negative, got " + requests);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("the timeout must be at least 1 ms, got " + timeout);
        }
        if (pipeline < 1 || pipeline > 65_536) {
            throw new IllegalArgumentException("the pipeline depth must be between 1 and 65536, got " + pipeline);
        }
        if (rate > 0 && rate < connections / 3600.0) {
            throw new IllegalArgumentException("a rate of " + rate + "/s leaves some of the " + connections
                    + " connections more than an hour between requests: use fewer connections");
        }
        if (reconnectDelay.isNegative() || spinWindow.isNegative()) {
            throw new IllegalArgumentException("the reconnect delay and spin window cannot be negative");
        }
    }

    public boolean openLoop() {
        return rate > 0;
    }

    /**
     * The command line's warmup when none is given: {@link #DEFAULT_WARMUP}, or a fifth of the
     * duration when that is shorter, so a short run is not mostly warmup.
     */
    public static Duration defaultWarmup(Duration duration) {
        Duration fifth = duration.dividedBy(5);
        return fifth.compareTo(DEFAULT_WARMUP) < 0 ? fifth : DEFAULT_WARMUP;
    }

    /**
     * Builder with the defaults of the command line, but for the warmup: none unless asked for (the
     * command line's default is {@link #defaultWarmup}).
     */
    public static Builder builder(Protocol protocol, InetSocketAddress target) {
        return new Builder(protocol, target);
    }

    /** The settings, for the report and the JSON file. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(protocol.name().toLowerCase()).append(" ").append(target.getHostString()).append(':').append(target.getPort())
                .append(openLoop() ? ", open loop at " + formatRate(rate) + "/s" : ", closed loop (max throughput)")
                .append(", ").append(connections).append(" connection(s) on ").append(threads).append(" thread(s)")
                .append(cpus.isEmpty() ? "" : " pinned to CPUs " + cpus)
                .append(", pipeline ").append(pipeline)
                .append(", duration ").append(duration.toMillis() / 1000.0).append("s")
                .append(warmup.isZero() ? "" : " after " + warmup.toMillis() / 1000.0 + "s warmup")
                .append(requests > 0 ? ", at most " + requests + " requests" : "")
                .append(", timeout ").append(timeout.toMillis()).append("ms");
        if (protocol == Protocol.HTTP) {
            s.append(", ").append(http.method()).append(' ').append(http.path())
                    .append(http.body().isEmpty() ? "" : " with a " + http.body().length() + "-byte body")
                    .append(", expecting ").append(http.expectedStatus());
        } else {
            s.append(", ").append(resp.workload().name().toLowerCase());
            if (resp.workload() != Workload.GETSET) {
                s.append(" of ").append(resp.keysPerTransaction()).append(" keys");
            }
            if (resp.mixesReadsAndWrites()) {
                s.append(", SET:GET ").append(resp.setRatio()).append(':').append(resp.getRatio());
            }
            s.append(", ").append(resp.keys()).append(" keys ").append(resp.distribution().name().toLowerCase())
                    .append(", ").append(resp.valueSize()).append("-byte values");
        }
        return s.toString();
    }

    public static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : String.format("%.1f", rate);
    }

    /** Builds a {@link LoadConfig}; starts from the command line's defaults. */
    public static final class Builder {
        private final Protocol protocol;
        private final InetSocketAddress target;
        private double rate;
        private Duration duration = Duration.ofSeconds(10);
        private Duration warmup = Duration.ZERO;
        private int connections = 16;
        private int threads = 1;
        private List<Integer> cpus = List.of();
        private long requests;
        private Duration timeout = Duration.ofSeconds(2);
        private int pipeline = 1;
        private HttpSettings http = HttpSettings.get("/");
        private RespSettings resp = RespSettings.defaults();
        private Duration reconnectDelay = Duration.ofMillis(100);
        private Duration spinWindow = Duration.ofMillis(2);
        private Transport transport = Transports.preferred().transport();

        private Builder(Protocol protocol, InetSocketAddress target) {
            this.protocol = protocol;
            this.target = target;
        }

        public Builder rate(double v) { rate = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder warmup(Duration v) { warmup = v; return this; }
        public Builder connections(int v) { connections = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder cpus(List<Integer> v) { cpus = v; return this; }
        public Builder requests(long v) { requests = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder pipeline(int v) { pipeline = v; return this; }
        public Builder http(HttpSettings v) { http = v; return this; }
        public Builder resp(RespSettings v) { resp = v; return this; }
        public Builder reconnectDelay(Duration v) { reconnectDelay = v; return this; }
        public Builder spinWindow(Duration v) { spinWindow = v; return this; }
        public Builder transport(Transport v) { transport = v; return this; }

        public LoadConfig build() {
            return new LoadConfig(protocol, target, rate, duration, warmup, connections, threads, cpus, requests,
                    timeout, pipeline, http, resp, reconnectDelay, spinWindow, transport);
        }
    }
}
