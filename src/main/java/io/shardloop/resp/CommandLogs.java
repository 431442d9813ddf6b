package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandCodec;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.ConnectionQuestions;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The slowlog and the latency monitor of one shard (or of a thread-per-connection server), and
 * SLOWLOG and LATENCY over them, as Redis 7.0's slowlog.c and latency.c.
 * <p>
 * <b>What is timed:</b> a command's run on the thread that dispatched it: for a command run there
 * (every command in the shared-state modes, a sharded command whose keys are this shard's, the
 * connection commands) its whole run; for one sent to another shard, the part run here (planning
 * and sending it), not its run on the owner. A command queued in a MULTI is not timed on its own;
 * EXEC is not logged (Redis's skip_slowlog). AUTH's and HELLO AUTH's arguments are logged as
 * "(redacted)", as Redis does.
 * <p>
 * <b>Slowlog:</b> commands that took at least slowlog-log-slower-than microseconds (negative:
 * none), the newest slowlog-max-len kept. Entries carry an id unique over the server (this
 * shard's sequence times the shard count, plus the shard) and the time they started; SLOWLOG GET
 * asks every other shard for its newest entries and answers the newest over all, newest first.
 * LEN adds the shards' lengths; RESET empties every shard's.
 * <p>
 * <b>Latency monitor:</b> the events Redis names "command" and "fast-command" (a command with the
 * fast flag) and this server's own "loop-stall" (the stall detector saw the shard's loop held in
 * one turn that long, at least: it reports a stall once, while it lasts; event loops only): a
 * value of at least latency-monitor-threshold milliseconds (0: off, Redis's default) is a sample;
 * one sample per event and second (the largest), 160 kept. LATENCY LATEST, HISTORY and RESET
 * gather every shard's. No other event exists here.
 * <p>
 * Owned by its shard's loop thread (other shards ask by message: {@link ConnectionQuestions}); in
 * the thread-per-connection models every connection thread records and reads: the methods are
 * synchronized.
 */
final class CommandLogs {
    /** Topics of the shards' questions. */
    static final int SLOWLOG_TOPIC = 1;
    static final int LATENCY_TOPIC = 2;
    /** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
    static final int MAX_ARGS = 32;
    static final int MAX_ARG_BYTES = 128;
    /** Redis's LATENCY_TS_LEN. */
    static final int HISTORY_LENGTH = 160;
    private static final String[] SLOWLOG_HELP = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    };
    private static final String[] LATENCY_HELP = {
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
    };
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /** One slowlog entry; {@code startMicros} orders entries of several shards. */
    record Entry(long id, long startMicros, long micros, byte[][] args, String addr, String name) {
    }

    /** One event's samples: (second, ms) pairs, the newest at {@code next - 1}. */
    private static final class Series {
        final long[] seconds = new long[HISTORY_LENGTH];
        final long[] millis = new long[HISTORY_LENGTH];
        int next;
        long max;

        void add(long second, long ms) {
            int prev = (next + HISTORY_LENGTH - 1) % HISTORY_LENGTH;
            max = Math.max(max, ms);
            if (seconds[prev] == second) {
                millis[prev] = Math.max(millis[prev], ms);
                return;
            }
            seconds[next] = second;
            millis[next] = ms;
            next = (next + 1) % HISTORY_LENGTH;
        }
    }

    private final int here;
    private final int shardCount;
    private final ConnectionQuestions questions;
    private final ServerSettings settings;
    private final ArrayDeque<Entry> slowlog = new ArrayDeque<>();
    private final Map<String, Series> latency = new LinkedHashMap<>();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(64);
    private final CommandArgs asked = new CommandArgs();
    private long nextSeq;

    /** @param questions how to ask the other shards, or null where there is none (thread per connection) */
    CommandLogs(int here, int shardCount, ConnectionQuestions questions, ServerSettings settings) {
        this.here = here;
        this.shardCount = shardCount;
        this.questions = questions;
        this.settings = settings;
        if (questions != null) {
            questions.answerer(SLOWLOG_TOPIC, this::answerSlowlog);
            questions.answerer(LATENCY_TOPIC, this::answerLatency);
        }
    }

    /** For a thread-per-connection server: one log, no shards to ask. */
    static CommandLogs alone(ServerSettings settings) {
        return new CommandLogs(0, 1, null, settings);
    }

    // ---- recording --------------------------------------------------------------------------------

    /** A command ran for {@code nanos}: logged if it was slow enough, sampled if it was past the threshold. */
    void onCommand(Command c, CommandArgs args, long nanos, Session s, ClientHandle client) {
        long micros = nanos / 1000;
        long slower = settings.slowlogSlowerThanMicros();
        if (slower >= 0 && micros >= slower && c != CommandTable.EXEC) {
            addEntry(c, args, micros, s, client);
        }
        long threshold = settings.latencyThresholdMillis();
        if (threshold > 0 && micros / 1000 >= threshold) {
            addSample(c.hasFlag("fast") ? "fast-command" : "command", micros / 1000);
        }
    }

    private synchronized void addEntry(Command c, CommandArgs args, long micros, Session s, ClientHandle client) {
        int n = Math.min(args.count(), MAX_ARGS);
        byte[][] kept = new byte[n][];
        boolean redact = c.name().equals("auth") || c.name().equals("hello");
        for (int i = 0; i < n; i++) {
            if (n != args.count() && i == n - 1) {
                kept[i] = ("... (" + (args.count() - n + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII);
            } else if (redact && i > 0 && (c.name().equals("auth") || helloCredential(args, i))) {
                kept[i] = REDACTED;
            } else if (args.length(i) > MAX_ARG_BYTES) {
                byte[] head = Arrays.copyOfRange(args.array(), args.offset(i), args.offset(i) + MAX_ARG_BYTES);
                byte[] tail = ("... (" + (args.length(i) - MAX_ARG_BYTES) + " more bytes)").getBytes(StandardCharsets.US_ASCII);
                kept[i] = Arrays.copyOf(head, head.length + tail.length);
                System.arraycopy(tail, 0, kept[i], head.length, tail.length);
            } else {
                kept[i] = args.copy(i);
            }
        }
        java.time.Instant now = java.time.Instant.now(); // microseconds: entries of several shards in order
        long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        slowlog.addFirst(new Entry(nextSeq++ * shardCount + here, nowMicros - micros, micros, kept,
                ClientLine.address(client.remoteAddress()), s.name()));
        while (slowlog.size() > settings.slowlogMaxLen()) {
            slowlog.removeLast();
        }
    }

    /** HELLO's AUTH user and password. */
    private static boolean helloCredential(CommandArgs args, int i) {
        return (i >= 2 && args.is(i - 1, "AUTH")) || (i >= 3 && args.is(i - 2, "AUTH"));
    }

    /**
     * The stall detector saw this shard's loop in one turn for {@code nanos} (at least: it reports a
     * stall once, while it lasts): a sample of the event "loop-stall", this server's own, when past
     * the threshold. On this shard's loop thread.
     */
    void onStall(long nanos) {
        long threshold = settings.latencyThresholdMillis();
        long ms = nanos / 1_000_000;
        if (threshold > 0 && ms >= threshold) {
            addSample("loop-stall", ms);
        }
    }

    private synchronized void addSample(String event, long ms) {
        latency.computeIfAbsent(event, e -> new Series()).add(System.currentTimeMillis() / 1000, ms);
    }

    // ---- SLOWLOG ------------------------------------------------------------------------------------

    /** SLOWLOG GET [count] | LEN | RESET | HELP. */
    void slowlog(CommandArgs a, ReplySink out, LaterReply later) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int arity = switch (sub) {
            case "help", "len", "reset" -> 2;
            case "get" -> -2;
            default -> 0;
        };
        if (arity == 0) {
            out.error(io.shardloop.kv.Errors.unknownSubcommand(a, "SLOWLOG"));
            return;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(io.shardloop.kv.Errors.wrongArity("slowlog|" + sub));
            return;
        }
        if (sub.equals("help")) {
            io.shardloop.kv.Errors.help(out, "SLOWLOG", SLOWLOG_HELP);
            return;
        }
        long count = 10;
        if (sub.equals("get")) {
            if (a.count() > 3) {
                String given = a.string(1);
                out.error(io.shardloop.kv.Sanitize.of("ERR unknown subcommand or wrong number of arguments for '"
                        + given.substring(0, Math.min(128, given.length())) + "'. Try SLOWLOG HELP."));
                return;
            }
            if (a.count() == 3) {
                count = a.isLong(2) ? a.parseLong(2, 0) : -2;
                if (count < -1) {
                    out.error("ERR count should be greater than or equal to -1");
                    return;
                }
            }
        }
        long wanted = count == -1 ? Long.MAX_VALUE : count;
        byte[] mine = answerSlowlog(sub, wanted);
        gathered(SLOWLOG_TOPIC, a, mine, out, later, (all, w) -> writeSlowlog(sub, wanted, all, w));
    }

    /**
     * Answers from this shard's part and every other shard's: at once where this shard is the only
     * one (or the command runs inside an EXEC, with no later reply), else in its place in line once
     * every shard has answered.
     */
    private void gathered(int topic, CommandArgs a, byte[] mine, ReplySink out, LaterReply later,
                          java.util.function.BiConsumer<List<byte[]>, ReplySink> write) {
        if (questions == null || shardCount == 1 || later == null) {
            write.accept(List.of(mine), out);
            return;
        }
        long token = later.defer();
        questions.ask(topic, -1, question(a), answers -> {
            List<byte[]> all = new ArrayList<>();
            all.add(mine);
            for (byte[] answer : answers) {
                if (answer != null && answer.length > 0) { // asked, and a shard with this front end
                    all.add(answer);
                }
            }
            BufferReplyWriter w = new BufferReplyWriter(256);
            w.protocol(later.protocol());
            write.accept(all, w);
            later.complete(token, w.toByteArray());
        });
    }

    /** Another shard's SLOWLOG: this shard's part. */
    private byte[] answerSlowlog(DirectBuffer q, int offset, int length) {
        CommandCodec.decode(q, offset, asked);
        long count = asked.count() == 3 ? asked.parseLong(2, 10) : 10;
        return answerSlowlog(asked.string(1).toLowerCase(Locale.ROOT), count == -1 ? Long.MAX_VALUE : count);
    }

    /** This shard's part: its newest {@code count} entries (GET), its length (LEN), or nothing (RESET, done). */
    private synchronized byte[] answerSlowlog(String sub, long count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (sub) {
                case "len" -> out.writeLong(slowlog.size());
                case "reset" -> slowlog.clear();
                default -> {
                    int n = (int) Math.min(count, slowlog.size());
                    out.writeInt(n);
                    int i = 0;
                    for (Entry e : slowlog) {
                        if (i++ == n) {
                            break;
                        }
                        out.writeLong(e.id());
                        out.writeLong(e.startMicros());
                        out.writeLong(e.micros());
                        out.writeInt(e.args().length);
                        for (byte[] arg : e.args()) {
                            out.writeInt(arg.length);
                            out.write(arg);
                        }
                        out.writeUTF(e.addr());
                        out.writeUTF(e.name());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeSlowlog(String sub, long count, List<byte[]> parts, ReplySink out) {
        try {
            switch (sub) {
                case "len" -> {
                    long total = 0;
                    for (byte[] p : parts) {
                        total += new DataInputStream(new java.io.ByteArrayInputStream(p)).readLong();
                    }
                    out.integer(total);
                }
                case "reset" -> out.simple("OK");
                default -> {
                    List<Entry> all = new ArrayList<>();
                    for (byte[] p : parts) {
                        all.addAll(readEntries(p));
                    }
                    all.sort(Comparator.comparingLong(Entry::startMicros).thenComparingLong(Entry::id).reversed());
                    int n = (int) Math.min(count, all.size());
                    out.arrayHeader(n);
                    for (Entry e : all.subList(0, n)) {
                        out.arrayHeader(6);
                        out.integer(e.id());
                        out.integer((e.startMicros() + e.micros()) / 1_000_000);
                        out.integer(e.micros());
                        out.arrayHeader(e.args().length);
                        for (byte[] arg : e.args()) {
                            out.bulk(arg);
                        }
                        out.bulk(e.addr().getBytes(StandardCharsets.UTF_8));
                        out.bulk(e.name().getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Entry> readEntries(byte[] part) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(part));
        int n = in.readInt();
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            long start = in.readLong();
            long micros = in.readLong();
            byte[][] args = new byte[in.readInt()][];
            for (int j = 0; j < args.length; j++) {
                args[j] = in.readNBytes(in.readInt());
            }
            entries.add(new Entry(id, start, micros, args, in.readUTF(), in.readUTF()));
        }
        return entries;
    }

    // ---- LATENCY ------------------------------------------------------------------------------------

    /** LATENCY LATEST | HISTORY event | RESET [event...] | HELP. */
    void latency(CommandArgs a, ReplySink out, LaterReply later) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int arity = switch (sub) {
            case "help", "latest" -> 2;
            case "history" -> 3;
            case "reset" -> -2;
            default -> 0;
        };
        if (arity == 0) {
            out.error(io.shardloop.kv.Errors.unknownSubcommand(a, "LATENCY"));
            return;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(io.shardloop.kv.Errors.wrongArity("latency|" + sub));
            return;
        }
        if (sub.equals("help")) {
            io.shardloop.kv.Errors.help(out, "LATENCY", LATENCY_HELP);
            return;
        }
        List<String> events = new ArrayList<>();
        for (int i = 2; i < a.count(); i++) {
            events.add(a.string(i).toLowerCase(Locale.ROOT));
        }
        byte[] mine = answerLatency(sub, events);
        gathered(LATENCY_TOPIC, a, mine, out, later, (all, w) -> writeLatency(sub, events, all, w));
    }

    private byte[] answerLatency(DirectBuffer q, int offset, int length) {
        CommandCodec.decode(q, offset, asked);
        List<String> events = new ArrayList<>();
        for (int i = 2; i < asked.count(); i++) {
            events.add(asked.string(i).toLowerCase(Locale.ROOT));
        }
        return answerLatency(asked.string(1).toLowerCase(Locale.ROOT), events);
    }

    /**
     * This shard's part: for LATEST and HISTORY its events' samples (name, max, then (second, ms)
     * pairs oldest first); for RESET the names of the events it dropped.
     */
    private synchronized byte[] answerLatency(String sub, List<String> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (sub.equals("reset")) {
                List<String> dropped = new ArrayList<>();
                for (String e : new ArrayList<>(latency.keySet())) {
                    if (events.isEmpty() || events.contains(e)) {
                        latency.remove(e);
                        dropped.add(e);
                    }
                }
                out.writeInt(dropped.size());
                for (String e : dropped) {
                    out.writeUTF(e);
                }
                return bytes.toByteArray();
            }
            List<Map.Entry<String, Series>> chosen = new ArrayList<>();
            for (Map.Entry<String, Series> e : latency.entrySet()) {
                if (sub.equals("latest") || events.contains(e.getKey())) {
                    chosen.add(e);
                }
            }
            out.writeInt(chosen.size());
            for (Map.Entry<String, Series> e : chosen) {
                Series s = e.getValue();
                out.writeUTF(e.getKey());
                out.writeLong(s.max);
                List<long[]> samples = new ArrayList<>();
                for (int i = 0; i < HISTORY_LENGTH; i++) {
                    int at = (s.next + i) % HISTORY_LENGTH;
                    if (s.seconds[at] != 0) {
                        samples.add(new long[] {s.seconds[at], s.millis[at]});
                    }
                }
                out.writeInt(samples.size());
                for (long[] sample : samples) {
                    out.writeLong(sample[0]);
                    out.writeLong(sample[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeLatency(String sub, List<String> events, List<byte[]> parts, ReplySink out) {
        try {
            if (sub.equals("reset")) {
                java.util.Set<String> dropped = new java.util.HashSet<>();
                for (byte[] p : parts) {
                    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(p));
                    for (int n = in.readInt(); n > 0; n--) {
                        dropped.add(in.readUTF());
                    }
                }
                out.integer(dropped.size());
                return;
            }
            // Every shard's samples of an event merged: one per second, the largest.
            Map<String, TreeMap<Long, Long>> samples = new TreeMap<>();
            Map<String, Long> max = new TreeMap<>();
            for (byte[] p : parts) {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(p));
                for (int n = in.readInt(); n > 0; n--) {
                    String event = in.readUTF();
                    max.merge(event, in.readLong(), Math::max);
                    TreeMap<Long, Long> series = samples.computeIfAbsent(event, e -> new TreeMap<>());
                    for (int k = in.readInt(); k > 0; k--) {
                        series.merge(in.readLong(), in.readLong(), Math::max);
                    }
                }
            }
            if (sub.equals("latest")) {
                out.arrayHeader(samples.size());
                for (Map.Entry<String, TreeMap<Long, Long>> e : samples.entrySet()) {
                    Map.Entry<Long, Long> last = e.getValue().lastEntry();
                    out.arrayHeader(4);
                    out.bulk(e.getKey().getBytes(StandardCharsets.US_ASCII));
                    out.integer(last.getKey());
                    out.integer(last.getValue());
                    out.integer(max.get(e.getKey()));
                }
                return;
            }
            TreeMap<Long, Long> series = samples.getOrDefault(events.get(0), new TreeMap<>());
            List<Map.Entry<Long, Long>> kept = new ArrayList<>(series.entrySet());
            kept = kept.subList(Math.max(0, kept.size() - HISTORY_LENGTH), kept.size());
            out.arrayHeader(kept.size());
            for (Map.Entry<Long, Long> sample : kept) {
                out.arrayHeader(2);
                out.integer(sample.getKey());
                out.integer(sample.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] question(CommandArgs a) {
        int length = CommandCodec.encode(a, scratch, 0);
        byte[] q = new byte[length];
        scratch.getBytes(0, q);
        return q;
    }
}
