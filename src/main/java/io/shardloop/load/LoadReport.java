package io.shardloop.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What one load run measured: the merged latency histogram (microseconds) of the measured part, the
 * summed counters, the measured time and the per-second summaries. Renders the end-of-run table and
 * the JSON file. Immutable once built (the histogram is not touched after the run).
 *
 * @param config          the run's settings
 * @param latency         every recorded response of the measured part, in microseconds
 * @param counters        the loops' {@link LoadCounters}, summed (the send lag is the maximum)
 * @param measuredSeconds length of the measured part
 * @param intervals       one summary per second of the measured part
 * @param placement       where each load loop ran
 * @param lastError       the last error message seen, or null
 */
public record LoadReport(LoadConfig config, Histogram latency, long[] counters, double measuredSeconds,
                         List<Interval> intervals, List<String> placement, String lastError) {
    /** How close to the target rate the achieved rate must be to count as reached. */
    public static final double RATE_TOLERANCE = 0.03;

    /** One second of the run. */
    public record Interval(double atSeconds, double rate, long errors, long p50Us, long p99Us, long maxUs) {
    }

    public long responses() {
        return counters[LoadCounters.RESPONSES];
    }

    public long sent() {
        return counters[LoadCounters.SENT];
    }

    public long errors() {
        return errorTotal(counters);
    }

    public long count(int counter) {
        return counters[counter];
    }

    /** Responses per second of the measured part. */
    public double achievedRate() {
        return responses() / measuredSeconds;
    }

    /** True in closed loop, or when the achieved rate is within {@link #RATE_TOLERANCE} of the target. */
    public boolean targetReached() {
        return !config.openLoop() || achievedRate() >= config.rate() * (1 - RATE_TOLERANCE);
    }

    static long errorTotal(long[] counters) {
        long sum = 0;
        for (int i = LoadCounters.FIRST_ERROR; i <= LoadCounters.LAST_ERROR; i++) {
            sum += counters[i];
        }
        return sum;
    }

    /** Microseconds as a person reads them: 850us, 12.35ms, 1.204s. */
    public static String formatMicros(long us) {
        if (us < 1000) {
            return us + "us";
        }
        if (us < 1_000_000) {
            return String.format(Locale.ROOT, "%.2fms", us / 1000.0);
        }
        return String.format(Locale.ROOT, "%.3fs", us / 1e6);
    }

    /** The end-of-run table. */
    public String table() {
        StringBuilder s = new StringBuilder();
        s.append("\nLatency ").append(config.openLoop()
                ? "(from each request's intended send time; open loop, no coordinated omission)"
                : "(from each request's actual send time; closed loop)").append(":\n");
        String[] names = {"p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"};
        long[] values = {at(50), at(90), at(99), at(99.9), at(99.99), latency.getMaxValue(), Math.round(latency.getMean())};
        for (String name : names) {
            s.append(String.format(Locale.ROOT, "%10s", name));
        }
        s.append('\n');
        for (long v : values) {
            s.append(String.format(Locale.ROOT, "%10s", latency.getTotalCount() == 0 ? "-" : formatMicros(v)));
        }
        s.append("\n\n");
        s.append(String.format(Locale.ROOT, "Requests: %d responses in %.2f s = %.1f/s", responses(), measuredSeconds,
                achievedRate()));
        if (config.openLoop()) {
            s.append(String.format(Locale.ROOT, " (target %s/s)", LoadConfig.formatRate(config.rate())));
        }
        s.append(String.format(Locale.ROOT, "; %d sent%n", sent()));
        long errors = errors();
        s.append("Errors: ").append(errors);
        if (errors > 0) {
            s.append(" (");
            boolean first = true;
            for (int i = LoadCounters.FIRST_ERROR; i <= LoadCounters.LAST_ERROR; i++) {
                if (counters[i] > 0) {
                    s.append(first ? "" : ", ").append(LoadCounters.name(i)).append(' ').append(counters[i]);
                    first = false;
                }
            }
            s.append(")");
        }
        s.append("; timeouts ").append(counters[LoadCounters.TIMEOUT]).append('\n');
        if (lastError != null) {
            s.append("Last error: ").append(lastError).append('\n');
        }
        if (config.openLoop()) {
            s.append("Largest send lag behind the schedule: ").append(formatMicros(counters[LoadCounters.MAX_SEND_LAG_US]))
                    .append('\n');
            if (!targetReached()) {
                s.append(String.format(Locale.ROOT, "TARGET RATE NOT REACHED: asked for %s/s, achieved %.1f/s (%.0f%%).%s%n",
                        LoadConfig.formatRate(config.rate()), achievedRate(), 100 * achievedRate() / config.rate(),
                        counters[LoadCounters.UNSENT] > 0
                                ? " " + counters[LoadCounters.UNSENT] + " scheduled requests were never sent"
                                        + " (connection down or pipeline full): the server, or this generator, is saturated."
                                : ""));
            }
        }
        return s.toString();
    }

    private long at(double percentile) {
        return latency.getValueAtPercentile(percentile);
    }

    /** The report as JSON: the settings, the totals, the latency summary and the per-second lines. */
    public String toJson() {
        Json j = new Json();
        j.open('{');
        j.key("settings").open('{');
        j.key("protocol").string(config.protocol().name().toLowerCase());
        j.key("target").string(config.target().getHostString() + ":" + config.target().getPort());
        j.key("mode").string(config.openLoop() ? "open" : "closed");
        j.key("rate").number(config.rate());
        j.key("duration_s").number(config.duration().toMillis() / 1000.0);
        j.key("warmup_s").number(config.warmup().toMillis() / 1000.0);
        j.key("connections").number(config.connections());
        j.key("threads").number(config.threads());
        j.key("cpus").open('[');
        for (int cpu : config.cpus()) {
            j.number(cpu);
        }
        j.close(']');
        j.key("pipeline").number(config.pipeline());
        j.key("requests_limit").number(config.requests());
        j.key("timeout_ms").number(config.timeout().toMillis());
        if (config.protocol() == LoadConfig.Protocol.HTTP) {
            j.key("method").string(config.http().method());
            j.key("path").string(config.http().path());
            j.key("body_bytes").number(config.http().body().getBytes(StandardCharsets.UTF_8).length);
            j.key("expected_status").number(config.http().expectedStatus());
        } else {
            j.key("workload").string(config.resp().workload().name().toLowerCase());
            j.key("keys_per_transaction").number(config.resp().keysPerTransaction());
            j.key("set_ratio").number(config.resp().setRatio());
            j.key("get_ratio").number(config.resp().getRatio());
            j.key("keys").number(config.resp().keys());
            j.key("value_size").number(config.resp().valueSize());
            j.key("distribution").string(config.resp().distribution().name().toLowerCase());
        }
        j.close('}');
        j.key("latency_from").string(config.openLoop() ? "intended_send_time" : "actual_send_time");
        j.key("measured_seconds").number(measuredSeconds);
        j.key("requests").number(responses());
        j.key("sent").number(sent());
        j.key("warmup_requests").number(counters[LoadCounters.WARMUP_RESPONSES]);
        j.key("achieved_rate").number(achievedRate());
        j.key("target_rate").number(config.rate());
        j.key("target_reached").bool(targetReached());
        j.key("errors").number(errors());
        j.key("errors_by_kind").open('{');
        for (int i = LoadCounters.FIRST_ERROR; i <= LoadCounters.LAST_ERROR; i++) {
            j.key(LoadCounters.name(i)).number(counters[i]);
        }
        j.close('}');
        j.key("timeouts").number(counters[LoadCounters.TIMEOUT]);
        j.key("max_send_lag_us").number(counters[LoadCounters.MAX_SEND_LAG_US]);
        j.key("latency_us").open('{');
        j.key("count").number(latency.getTotalCount());
        j.key("p50").number(at(50));
        j.key("p90").number(at(90));
        j.key("p99").number(at(99));
        j.key("p999").number(at(99.9));
        j.key("p9999").number(at(99.99));
        j.key("max").number(latency.getMaxValue());
        j.key("mean").number(latency.getTotalCount() == 0 ? 0 : latency.getMean());
        j.close('}');
        j.key("intervals").open('[');
        for (Interval i : intervals) {
            j.open('{');
            j.key("t").number(i.atSeconds());
            j.key("rate").number(i.rate());
            j.key("errors").number(i.errors());
            j.key("p50_us").number(i.p50Us());
            j.key("p99_us").number(i.p99Us());
            j.key("max_us").number(i.maxUs());
            j.close('}');
        }
        j.close(']');
        j.key("last_error").string(lastError);
        j.close('}');
        return j.toString();
    }

    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n");
    }

    /** Just enough JSON writing for the report: commas and escaping handled, nothing else. */
    private static final class Json {
        private final StringBuilder out = new StringBuilder();
        private boolean needComma;

        Json open(char bracket) {
            comma();
            out.append(bracket);
            needComma = false;
            return this;
        }

        Json close(char bracket) {
            out.append(bracket);
            needComma = true;
            return this;
        }

        Json key(String name) {
            comma();
            quote(name);
            out.append(':');
            needComma = false;
            return this;
        }

        Json string(String value) {
            comma();
            if (value == null) {
                out.append("null");
            } else {
                quote(value);
            }
            needComma = true;
            return this;
        }

        Json number(double value) {
            comma();
            if (Double.isFinite(value)) {
                out.append(value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                        : String.format(Locale.ROOT, "%.3f", value));
            } else {
                out.append("null");
            }
            needComma = true;
            return this;
        }

        Json bool(boolean value) {
            comma();
            out.append(value);
            needComma = true;
            return this;
        }

        private void comma() {
            if (needComma) {
                out.append(',');
            }
        }

        private void quote(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
