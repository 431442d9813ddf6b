package io.shardloop.kv;

import java.nio.charset.StandardCharsets;

/**
 * Redis's keyspace notifications (notify.c) for one server: the {@code notify-keyspace-events}
 * classes, and the publishing of an event as the two pub/sub messages Redis sends,
 * {@code __keyspace@<db>__:<key>} with the event and {@code __keyevent@<db>__:<event>} with the key.
 * <p>
 * Commands report events through the {@link Db} they run on ({@link Db#notify}), which hands them
 * here with its database index. While no class is on (the default), an event costs one volatile
 * read and nothing else; the classes are set on any thread ({@link #set}) and read by every loop
 * without a lock.
 * <p>
 * <b>Who publishes.</b> An event goes out on the thread that ran the command: each event loop binds
 * its own shard's pub/sub ({@link #bindThisThread}), which delivers to its subscribers and sends the
 * messages one way to the other shards that have some; the thread-per-connection server publishes
 * through its one registry from any thread ({@link #publishFromAnyThread}). A thread with neither
 * (a store used alone, as the tests do) publishes nothing.
 * <p>
 * Thread-safe.
 */
public final class KeyspaceEvents {
    /** K: {@code __keyspace@<db>__:} channels. */
    public static final int KEYSPACE = 1;
    /** E: {@code __keyevent@<db>__:} channels. */
    public static final int KEYEVENT = 1 << 1;
    /** g: DEL, EXPIRE, RENAME and the other commands of no one type. */
    public static final int GENERIC = 1 << 2;
    /** $ */
    public static final int STRING = 1 << 3;
    /** l */
    public static final int LIST = 1 << 4;
    /** s */
    public static final int SET = 1 << 5;
    /** h */
    public static final int HASH = 1 << 6;
    /** z */
    public static final int ZSET = 1 << 7;
    /** x: a key deleted because its time to live had passed, on access or by the expiry cycle. */
    public static final int EXPIRED = 1 << 8;
    /** e: never sent here (maxmemory's policy is noeviction), accepted as Redis accepts it. */
    public static final int EVICTED = 1 << 9;
    /** t: streams, which this server does not have. */
    public static final int STREAM = 1 << 10;
    /** m: key misses, not part of A; not sent here. */
    public static final int KEY_MISS = 1 << 11;
    /** d: module events, not sent here. */
    public static final int MODULE = 1 << 13;
    /** n: a key created; not part of A. */
    public static final int NEW = 1 << 14;
    /** A: every class but m and n. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /** Redis's error text for a class it does not know (CONFIG SET's, after its prefix). */
    public static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    /** What publishes one message on the thread that reports an event. */
    @FunctionalInterface
    public interface Publisher {
        void publish(byte[] channel, byte[] message);
    }

    /** The events of a store nobody wired: always off. */
    static final KeyspaceEvents OFF = new KeyspaceEvents();

    private volatile int flags;
    private final ThreadLocal<Publisher> perThread = new ThreadLocal<>();
    private volatile Publisher anyThread;

    /** Redis's keyspaceEventsStringToFlags: the classes, or -1 for a character it does not know. */
    public static int parse(String classes) {
        int f = 0;
        for (int i = 0; i < classes.length(); i++) {
            switch (classes.charAt(i)) {
                case 'A' -> f |= ALL;
                case 'g' -> f |= GENERIC;
                case '$' -> f |= STRING;
                case 'l' -> f |= LIST;
                case 's' -> f |= SET;
                case 'h' -> f |= HASH;
                case 'z' -> f |= ZSET;
                case 'x' -> f |= EXPIRED;
                case 'e' -> f |= EVICTED;
                case 'K' -> f |= KEYSPACE;
                case 'E' -> f |= KEYEVENT;
                case 't' -> f |= STREAM;
                case 'm' -> f |= KEY_MISS;
                case 'd' -> f |= MODULE;
                case 'n' -> f |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return f;
    }

    /** Redis's keyspaceEventsFlagsToString: what CONFIG GET shows. */
    public static String render(int f) {
        StringBuilder b = new StringBuilder();
        if ((f & ALL) == ALL) {
            b.append('A');
        } else {
            appendIf(b, f, GENERIC, 'g');
            appendIf(b, f, STRING, '$');
            appendIf(b, f, LIST, 'l');
            appendIf(b, f, SET, 's');
            appendIf(b, f, HASH, 'h');
            appendIf(b, f, ZSET, 'z');
            appendIf(b, f, EXPIRED, 'x');
            appendIf(b, f, EVICTED, 'e');
            appendIf(b, f, STREAM, 't');
            appendIf(b, f, MODULE, 'd');
            appendIf(b, f, NEW, 'n');
        }
        appendIf(b, f, KEYSPACE, 'K');
        appendIf(b, f, KEYEVENT, 'E');
        appendIf(b, f, KEY_MISS, 'm');
        return b.toString();
    }

    private static void appendIf(StringBuilder b, int f, int flag, char c) {
        if ((f & flag) != 0) {
            b.append(c);
        }
    }

    /** Sets the classes from Redis's letters: null when done, else the error text ({@link #INVALID}). */
    public String set(String classes) {
        int f = parse(classes);
        if (f < 0) {
            return INVALID;
        }
        flags = f;
        return null;
    }

    /** The classes as Redis renders them. */
    public String get() {
        return render(flags);
    }

    /** The calling thread (an event loop) publishes its events through {@code publisher}. */
    public void bindThisThread(Publisher publisher) {
        perThread.set(publisher);
    }

    /** Threads without a publisher of their own publish through this one, which must be thread-safe. */
    public void publishFromAnyThread(Publisher publisher) {
        anyThread = publisher;
    }

    /**
     * Redis's notifyKeyspaceEvent: publishes the event of class {@code type} on key {@code key} of
     * database {@code db} if the class is on, as the keyspace and keyevent channels that are on.
     */
    void notify(int type, String event, Key key, int db) {
        int f = flags;
        if ((f & type) != 0) {
            publish(f, event, key, db);
        }
    }

    private void publish(int f, String event, Key key, int db) {
        if ((f & (KEYSPACE | KEYEVENT)) == 0) {
            return;
        }
        Publisher p = perThread.get();
        if (p == null) {
            p = anyThread;
            if (p == null) {
                return;
            }
        }
        byte[] eventBytes = event.getBytes(StandardCharsets.US_ASCII);
        byte[] keyBytes = java.util.Arrays.copyOfRange(key.array(), key.offset(), key.offset() + key.length());
        if ((f & KEYSPACE) != 0) {
            p.publish(channel("__keyspace@", db, keyBytes), eventBytes);
        }
        if ((f & KEYEVENT) != 0) {
            p.publish(channel("__keyevent@", db, eventBytes), keyBytes);
        }
    }

    private static byte[] channel(String prefix, int db, byte[] name) {
        byte[] head = (prefix + db + "__:").getBytes(StandardCharsets.US_ASCII);
        byte[] channel = java.util.Arrays.copyOf(head, head.length + name.length);
        System.arraycopy(name, 0, channel, head.length, name.length);
        return channel;
    }
}
