package io.shardloop.resp;

import java.util.Locale;

/**
 * Redis's {@code client-output-buffer-limit} as CONFIG GET shows it and CONFIG SET takes it
 * (config.c's updateClientOutputBufferLimit): {@code <class> <hard> <soft> <soft-seconds>} for
 * each class named, classes {@code normal}, {@code slave} (or {@code replica}) and {@code pubsub},
 * sizes with Redis's units ({@code 32mb}, {@code 1g}), the whole value refused when one part is
 * wrong, the classes not named left as they are.
 * <p>
 * Only the pubsub class is enforced ({@link PubSubLimit}, watched on each message queued for a
 * subscriber); a SET of it holds for every client from its next message on. The normal class is
 * kept and shown but not applied: a client's replies are bounded by the connection's own hard limit
 * (serve's {@code --hard-limit}) instead. The slave class is kept and shown only: this server has
 * no replicas.
 * <p>
 * Thread-safe: the values are volatile, a SET replaces them together.
 */
public final class ClientOutputLimits {
    private static final String WRONG_COUNT = "Wrong number of arguments in buffer limit configuration.";
    private static final String BAD_CLASS = "Invalid client class specified in buffer limit configuration.";
    private static final String BAD_VALUE = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    private static final int NORMAL = 0;
    private static final int SLAVE = 1;
    private static final int PUBSUB = 2;
    private static final String[] NAMES = {"normal", "slave", "pubsub"};

    /** Per class (normal, slave, pubsub). */
    private volatile PubSubLimit[] limits;

    /** Redis's defaults for normal clients and replicas, and {@code pubsub} (serve's options) for subscribers. */
    public ClientOutputLimits(PubSubLimit pubsub) {
        limits = new PubSubLimit[] {new PubSubLimit(0, 0, 0), new PubSubLimit(256L << 20, 64L << 20, 60), pubsub};
    }

    /** The pubsub class's limit in force now. */
    public PubSubLimit pubsub() {
        return limits[PUBSUB];
    }

    /** A watch for one subscriber, of whatever limit is in force at each check. */
    public PubSubLimit.Watch watch() {
        return new PubSubLimit.Watch(this::pubsub);
    }

    /** As CONFIG GET shows it: {@code normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}. */
    public String show() {
        PubSubLimit[] now = limits;
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < now.length; c++) {
            b.append(c == 0 ? "" : " ").append(NAMES[c]).append(' ').append(now[c]);
        }
        return b.toString();
    }

    /** Redis's reason a SET of this value fails, or null when it would be taken. */
    public static String check(String value) {
        return parse(value, new PubSubLimit[NAMES.length]);
    }

    /** Sets the classes the value names; false (nothing changed) when {@link #check} refuses it. */
    public synchronized boolean set(String value) {
        PubSubLimit[] given = new PubSubLimit[NAMES.length];
        if (parse(value, given) != null) {
            return false;
        }
        PubSubLimit[] next = limits.clone();
        for (int c = 0; c < next.length; c++) {
            if (given[c] != null) {
                next[c] = given[c];
            }
        }
        limits = next;
        return true;
    }

    /** Reads the value's classes into {@code given} (by class, null where not named); the error, or null. */
    private static String parse(String value, PubSubLimit[] given) {
        String[] args = value.isEmpty() ? new String[0] : value.split(" ", -1); // sdssplitlen on one space
        if (args.length % 4 != 0) {
            return WRONG_COUNT;
        }
        for (int j = 0; j < args.length; j += 4) {
            int c = switch (args[j].toLowerCase(Locale.ROOT)) {
                case "normal" -> NORMAL;
                case "slave", "replica" -> SLAVE;
                case "pubsub" -> PUBSUB;
                default -> -1; // "master" too, as in Redis
            };
            if (c < 0) {
                return BAD_CLASS;
            }
            long hard = ServerSettings.memory(args[j + 1]);
            long soft = ServerSettings.memory(args[j + 2]);
            Long seconds = seconds(args[j + 3]);
            if (hard < 0 || soft < 0 || seconds == null) {
                return BAD_VALUE;
            }
            given[c] = new PubSubLimit(hard, soft, seconds);
        }
        return null;
    }

    /** strtoll over the whole text, not negative: leading blanks and a sign allowed; null if not one. */
    private static Long seconds(String text) {
        String t = text.stripLeading();
        if (!t.matches("[+-]?[0-9]+")) {
            return null;
        }
        try {
            long v = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            return v < 0 || v > Integer.MAX_VALUE ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
