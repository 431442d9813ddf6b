package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who is subscribed to what, among the clients of one shard (on the event loops) or of the whole
 * server (the thread-per-connection models): Redis's {@code server.pubsub_channels},
 * {@code pubsub_patterns}, {@code pubsubshard_channels} and {@code monitors}. Publishing here
 * delivers to these clients only; the {@link PubSubShard} carries a message to the other shards.
 * <p>
 * A channel, pattern or shard channel is in its table while it has a subscriber, with its
 * subscribers in the order they subscribed (as Redis's lists), so a message reaches them in that
 * order. A message frame is encoded once per publish and handed to each subscriber.
 * <p>
 * <b>Threads.</b> Not thread-safe: on the loops it belongs to its shard's loop thread; in the
 * thread-per-connection models every call is made holding this object's monitor. The one field
 * read from other threads is {@link #activeCount()}, written with a release store after each
 * change and before the client that made it is answered.
 */
public final class PubSubRegistry {
    /** The three namespaces a client may subscribe in. */
    public enum Kind {
        CHANNEL, PATTERN, SHARD_CHANNEL
    }

    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PMESSAGE = "pmessage".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SMESSAGE = "smessage".getBytes(StandardCharsets.US_ASCII);

    private final Map<Key, LinkedHashSet<Subscriber>> channels = new HashMap<>();
    private final Map<Key, LinkedHashSet<Subscriber>> patterns = new HashMap<>();
    private final Map<Key, LinkedHashSet<Subscriber>> shardChannels = new HashMap<>();
    private final ArrayList<Subscriber> monitors = new ArrayList<>();
    private final BufferReplyWriter frame = new BufferReplyWriter(256);
    private final Key probe = Key.probe();
    /** Names with a subscriber in any table, plus monitors: zero means a publish has nothing to do here. */
    private final AtomicInteger active = new AtomicInteger();
    /** Monitors here, readable from any thread. */
    private final AtomicInteger monitorCount = new AtomicInteger();
    /** Monitors on every registry of the server: what a front end checks before it formats a MONITOR line. */
    private final AtomicInteger allMonitors;
    /** The three tables' sizes as last changed, readable from any thread (INFO on another shard). */
    private final java.util.concurrent.atomic.AtomicIntegerArray sizes = new java.util.concurrent.atomic.AtomicIntegerArray(3);
    /** True while subscribers are being handed a frame: a subscriber that leaves then must leave after it. */
    private boolean delivering;

    /** Told when a name enters its table (its first subscriber here) or leaves it (its last). */
    interface NameListener {
        void onName(Kind kind, Key name, boolean added);
    }

    private final NameListener names;

    /** @param allMonitors the server's count of monitors, shared by its registries (one per shard on the loops) */
    public PubSubRegistry(AtomicInteger allMonitors) {
        this(allMonitors, null);
    }

    PubSubRegistry(AtomicInteger allMonitors, NameListener names) {
        this.allMonitors = allMonitors;
        this.names = names;
    }

    /** Whether any registry of the server has a monitor: a plain volatile read, the whole cost of MONITOR when none exists. */
    public boolean anyMonitor() {
        return allMonitors.get() > 0;
    }

    private Map<Key, LinkedHashSet<Subscriber>> table(Kind kind) {
        return switch (kind) {
            case CHANNEL -> channels;
            case PATTERN -> patterns;
            case SHARD_CHANNEL -> shardChannels;
        };
    }

    /** Adds the subscriber to a name it was not subscribed to (its client keeps what it holds). */
    public void add(Kind kind, Key name, Subscriber s) {
        Map<Key, LinkedHashSet<Subscriber>> t = table(kind);
        LinkedHashSet<Subscriber> subscribers = t.get(name);
        if (subscribers == null) {
            Key owned = name.owned();
            subscribers = new LinkedHashSet<>();
            t.put(owned, subscribers);
            if (names != null) {
                names.onName(kind, owned, true);
            }
        }
        subscribers.add(s);
        publishActive();
    }

    /** Removes the subscriber from a name it was subscribed to; the name goes with its last subscriber. */
    public void remove(Kind kind, Key name, Subscriber s) {
        Map<Key, LinkedHashSet<Subscriber>> t = table(kind);
        LinkedHashSet<Subscriber> subscribers = t.get(name);
        if (subscribers != null && subscribers.remove(s) && subscribers.isEmpty()) {
            t.remove(name);
            if (names != null) {
                names.onName(kind, name, false);
            }
        }
        publishActive();
    }

    public void addMonitor(Subscriber s) {
        monitors.add(s);
        monitorCount.setRelease(monitors.size());
        allMonitors.incrementAndGet();
        publishActive();
    }

    public void removeMonitor(Subscriber s) {
        if (monitors.remove(s)) {
            allMonitors.decrementAndGet();
        }
        monitorCount.setRelease(monitors.size());
        publishActive();
    }

    private void publishActive() {
        // Release: a publisher on another shard that reads a count written before this client's
        // confirmation went out sees the subscription it confirms.
        active.setRelease(channels.size() + patterns.size() + shardChannels.size() + monitors.size());
        sizes.setRelease(Kind.CHANNEL.ordinal(), channels.size());
        sizes.setRelease(Kind.PATTERN.ordinal(), patterns.size());
        sizes.setRelease(Kind.SHARD_CHANNEL.ordinal(), shardChannels.size());
    }

    /** {@link #size} as last changed, from any thread. */
    public int publishedSize(Kind kind) {
        return sizes.getAcquire(kind.ordinal());
    }

    /**
     * Whether a frame is being handed out now: a subscriber whose connection closes from inside
     * {@link Subscriber#deliver} leaves once the delivery is over, not in the middle of it.
     */
    public boolean delivering() {
        return delivering;
    }

    /** Names with a subscriber here plus monitors; any thread. */
    public int activeCount() {
        return active.getAcquire();
    }

    /** Monitors here; any thread. */
    public int monitorCount() {
        return monitorCount.getAcquire();
    }

    /**
     * Delivers a message to the subscribers here of the channel and, for a plain channel, of the
     * patterns it matches: Redis's pubsubPublishMessage.
     *
     * @return how many clients received it
     */
    public int publish(byte[] a, int channelOffset, int channelLength, byte[] m, int messageOffset, int messageLength,
                       boolean shard) {
        delivering = true;
        try {
            return deliver(a, channelOffset, channelLength, m, messageOffset, messageLength, shard);
        } finally {
            delivering = false;
        }
    }

    private int deliver(byte[] a, int channelOffset, int channelLength, byte[] m, int messageOffset, int messageLength,
                        boolean shard) {
        int receivers = 0;
        LinkedHashSet<Subscriber> direct = (shard ? shardChannels : channels).get(probe.view(a, channelOffset, channelLength));
        if (direct != null) {
            frame.reset();
            frame.arrayHeader(3);
            frame.bulk(shard ? SMESSAGE : MESSAGE);
            frame.bulk(a, channelOffset, channelLength);
            frame.bulk(m, messageOffset, messageLength);
            for (Subscriber s : direct) {
                s.deliver(frame.array(), 0, frame.length(), true);
                receivers++;
            }
        }
        if (shard || patterns.isEmpty()) {
            return receivers;
        }
        for (Map.Entry<Key, LinkedHashSet<Subscriber>> e : patterns.entrySet()) {
            Key p = e.getKey();
            if (!Glob.matches(p.array(), p.offset(), p.length(), a, channelOffset, channelLength)) {
                continue;
            }
            frame.reset();
            frame.arrayHeader(4);
            frame.bulk(PMESSAGE);
            frame.bulk(p.array(), p.offset(), p.length());
            frame.bulk(a, channelOffset, channelLength);
            frame.bulk(m, messageOffset, messageLength);
            for (Subscriber s : e.getValue()) {
                s.deliver(frame.array(), 0, frame.length(), true);
                receivers++;
            }
        }
        return receivers;
    }

    /** Hands a MONITOR line to every monitor here. */
    public void feedMonitors(byte[] line, int offset, int length) {
        delivering = true;
        try {
            for (int i = 0; i < monitors.size(); i++) {
                monitors.get(i).deliver(line, offset, length, false);
            }
        } finally {
            delivering = false;
        }
    }

    /** The names of a kind with a subscriber here matching the pattern (null: all), added to {@code into}. */
    public void names(Kind kind, byte[] pattern, Collection<Key> into) {
        for (Key k : table(kind).keySet()) {
            if (pattern == null || Glob.matches(pattern, 0, pattern.length, k.array(), k.offset(), k.length())) {
                into.add(k);
            }
        }
    }

    /** Subscribers here of one channel or shard channel (PUBSUB NUMSUB, SHARDNUMSUB). */
    public int subscribers(Kind kind, byte[] a, int offset, int length) {
        LinkedHashSet<Subscriber> s = table(kind).get(probe.view(a, offset, length));
        return s == null ? 0 : s.size();
    }

    /** Names of a kind with a subscriber here (INFO's pubsub_channels, pubsub_patterns, pubsubshard_channels). */
    public int size(Kind kind) {
        return table(kind).size();
    }
}
