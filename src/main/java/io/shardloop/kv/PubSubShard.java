package io.shardloop.kv;

import io.shardloop.kv.PubSubRegistry.Kind;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.ResponseHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Pub/sub across the shards of the event loops: this shard's {@link PubSubRegistry} (the
 * subscribers among its own connections) and the fan-out that carries PUBLISH, SPUBLISH, PUBSUB
 * and MONITOR lines to the other shards as bytes over the mailbox.
 * <p>
 * <b>The fan-out.</b> A PUBLISH delivers to this shard's subscribers at once, then goes as one
 * request ({@link #MSG_PUBLISH}: the command, {@link CommandCodec} bytes) to each other shard whose
 * registry has any subscription now ({@link PubSubRegistry#activeCount()}, one acquire load per
 * shard; a shard without subscribers costs the publisher that load and nothing else). Each
 * delivers to its own subscribers and answers how many it reached; the PUBLISH's reply is the sum,
 * as Redis counts every receiver. Requests from one shard to another are read in the order they
 * were sent, so the messages of one publisher on a channel arrive in publish order. A subscriber's
 * shard stores its count (release) before the SUBSCRIBE's confirmation is written, so a PUBLISH sent
 * after the subscriber read that confirmation finds the count and reaches it.
 * <p>
 * PUBLISH is not a transaction: no ids, no key locks, nothing held on the other shards. It needs
 * credit towards the shards it asks, as any request; {@link KvShard} holds it in the line of
 * waiters while it has none. PUBSUB CHANNELS, NUMSUB, NUMPAT and their shard forms ask the same
 * shards ({@link #MSG_PUBSUB}) and merge: names deduplicated, counts added.
 * <p>
 * <b>Inside an EXEC</b>, which already runs and asks no credit, the same fan-out goes one way
 * ({@link #MSG_WITHIN}, answered one way by {@link #MSG_WITHIN_ANSWER}); this shard's part is written
 * in the EXEC's reply at once and the merged reply, when it comes, takes its place
 * ({@link Merged}). <b>From a script</b>, which runs whole on this loop and never waits for another
 * shard, the message goes one way and the reply counts this shard's receivers.
 * <p>
 * <b>INFO's counts</b> of distinct channels, patterns and shard channels: each name has a home
 * shard (by its hash, as a key's slot); a shard whose table gains or loses a name tells the home
 * ({@link #MSG_NAME}), which counts the shards that have it and publishes how many names it is home
 * to that some shard has. The sum over the homes is Redis's figure, a message behind at most.
 * <p>
 * <b>MONITOR</b> lines go one way ({@link #MSG_MONITOR}) to the shards that have a monitor; the
 * front end formats them only while {@link PubSubRegistry#anyMonitor()} says one exists anywhere.
 * <p>
 * Owned by its shard's loop thread.
 */
public final class PubSubShard implements ResponseHandler, PubSubRegistry.NameListener {
    /** A PUBLISH or SPUBLISH to deliver there; the answer is the receivers' count, an int. */
    static final int MSG_PUBLISH = 30;
    /** A PUBSUB subcommand to answer from there: names ({@code int n, (int len, bytes)*}) or counts ({@code int n, int*}). */
    static final int MSG_PUBSUB = 31;
    /** A MONITOR line, one way. */
    static final int MSG_MONITOR = 32;
    /** One way to a name's home shard: a shard's table gained the name (+1) or lost it (-1); {@code byte kind, byte added, name}. */
    static final int MSG_NAME = 33;
    /** A PUBLISH, SPUBLISH or PUBSUB inside an EXEC, one way: {@code int gather}, the command; answered by {@link #MSG_WITHIN_ANSWER}. */
    static final int MSG_WITHIN = 34;
    /** One way back: {@code int gather}, then a count (PUBLISH) or that shard's PUBSUB part, as {@link #MSG_PUBLISH} and {@link #MSG_PUBSUB} answer. */
    static final int MSG_WITHIN_ANSWER = 35;


    private final KvGroup group;
    private final int here;
    private final int shardCount;
    private final Mailbox mailbox;
    private final PubSubRegistry registry;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer lineView = new UnsafeBuffer(new byte[0]);
    private final CommandArgs incoming = new CommandArgs();
    /** The PUBLISH a keyspace event goes to the other shards as. */
    private final CommandArgs event = new CommandArgs();
    private static final byte[] PUBLISH = {'p', 'u', 'b', 'l', 'i', 's', 'h'};
    private final boolean[] targets;
    private final ArrayDeque<Gather> spare = new ArrayDeque<>();
    private Gather[] gathers = new Gather[16];
    private int nextGather;
    private final List<Key> names = new ArrayList<>();
    /** Per kind, the names this shard is home to, with the number of shards whose table has each. */
    private final List<java.util.HashMap<Key, Integer>> homed = List.of(new java.util.HashMap<>(),
            new java.util.HashMap<>(), new java.util.HashMap<>());
    /** Per kind, how many names homed here some shard has; read by INFO on any shard. */
    private final java.util.concurrent.atomic.AtomicIntegerArray distinct = new java.util.concurrent.atomic.AtomicIntegerArray(3);
    private final Key nameProbe = Key.probe();

    PubSubShard(KvGroup group, int here, Mailbox mailbox) {
        this.group = group;
        this.here = here;
        this.shardCount = group.shardCount();
        this.mailbox = mailbox;
        this.targets = new boolean[shardCount];
        this.registry = new PubSubRegistry(group.monitors(), this);
    }

    /** How many names of a kind homed here have a subscriber on some shard; any thread (INFO). */
    public int distinctHomedHere(Kind kind) {
        return distinct.getAcquire(kind.ordinal());
    }

    @Override
    public void onName(Kind kind, Key name, boolean added) {
        int home = Slots.ownerOf(name.array(), name.offset(), name.length(), shardCount);
        if (home == here) {
            countName(kind, name.array(), name.offset(), name.length(), added);
            return;
        }
        scratch.putByte(0, (byte) kind.ordinal());
        scratch.putByte(1, (byte) (added ? 1 : 0));
        scratch.putBytes(2, name.array(), name.offset(), name.length());
        mailbox.sendAlways(home, MSG_NAME, scratch, 0, 2 + name.length()); // bounded: one per name and shard
    }

    private void countName(Kind kind, byte[] b, int offset, int length, boolean added) {
        java.util.HashMap<Key, Integer> counts = homed.get(kind.ordinal());
        Key probe = nameProbe.view(b, offset, length);
        int n = counts.getOrDefault(probe, 0) + (added ? 1 : -1);
        if (n == 0) {
            counts.remove(probe);
        } else {
            counts.put(probe.owned(), n);
        }
        distinct.setRelease(kind.ordinal(), counts.size());
    }

    /** This shard's subscribers. */
    public PubSubRegistry registry() {
        return registry;
    }

    /** Whether the command is one this class runs across the shards (PUBLISH, SPUBLISH, PUBSUB). */
    public static boolean fansOut(Command c) {
        return c.name().equals("publish") || c.name().equals("spublish") || c.name().equals("pubsub");
    }

    /** Marks the other shards that have a subscription now; false when there are none. */
    private boolean findTargets() {
        boolean any = false;
        for (int s = 0; s < shardCount; s++) {
            KvShard other = s == here ? null : group.service(s);
            targets[s] = other != null && other.pubsub().registry.activeCount() > 0;
            any |= targets[s];
        }
        return any;
    }

    private boolean anyTarget() {
        for (boolean t : targets) {
            if (t) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every shard a fan-out of this length would ask has credit for it. The shards it
     * found are the ones {@link #run} asks, right after.
     */
    boolean hasCredit(int length) {
        findTargets();
        for (int s = 0; s < shardCount; s++) {
            if (targets[s] && !mailbox.hasCredit(s, length)) {
                return false;
            }
        }
        return true;
    }

    /** Runs PUBLISH, SPUBLISH or PUBSUB: here, then on the shards {@link #hasCredit} found and checked. */
    void run(Command c, CommandArgs args, KvShard.Submitter who) {
        if (c.name().equals("pubsub")) {
            pubsub(args, who);
            return;
        }
        boolean shard = c.name().equals("spublish");
        int receivers = registry.publish(args.array(), args.offset(1), args.length(1), args.array(), args.offset(2),
                args.length(2), shard);
        if (!anyTarget()) {
            who.replyNow().integer(receivers);
            return;
        }
        Gather g = gather(who, Gather.SUM, null);
        g.sum = receivers;
        ask(g, args);
    }

    /**
     * PUBLISH, SPUBLISH or PUBSUB from a script, which runs whole on this loop and cannot wait for
     * the other shards: the message goes to them one way, and the reply counts (or names) this
     * shard's subscribers only.
     */
    public void runWithin(Command c, CommandArgs args, ReplySink out) {
        if (c.name().equals("pubsub")) {
            if (PubSubClient.checkPubsub(args, out)) {
                PubSubClient.pubsubHere(registry, args, out);
            }
            return;
        }
        out.integer(registry.publish(args.array(), args.offset(1), args.length(1), args.array(), args.offset(2),
                args.length(2), c.name().equals("spublish")));
        if (findTargets()) {
            int length = CommandCodec.encode(args, scratch, 0);
            for (int s = 0; s < shardCount; s++) {
                if (targets[s]) {
                    mailbox.sendAlways(s, MSG_PUBLISH, scratch, 0, length);
                }
            }
        }
    }

    /**
     * PUBLISH, SPUBLISH or PUBSUB inside an EXEC, whose reply is written now, in order with the
     * EXEC's other commands: this shard delivers (or answers) at once and writes its own part into
     * {@code out}. When other shards have subscribers the command goes to each one way
     * ({@link #MSG_WITHIN}, no credit asked: the EXEC already runs) and each answers one way
     * ({@link #MSG_WITHIN_ANSWER}); once all have, the reply every shard makes together reaches
     * {@code merged} at {@code place}, on this loop, to take the part's place in the EXEC's reply.
     *
     * @return whether a merged reply will follow (false: what {@code out} got is the whole reply)
     */
    public boolean runWithin(Command c, CommandArgs args, ReplySink out, int protocol, Merged merged, int place) {
        boolean pubsub = c.name().equals("pubsub");
        if (pubsub && !PubSubClient.checkPubsub(args, out)) {
            return false;
        }
        int receivers = pubsub ? 0 : registry.publish(args.array(), args.offset(1), args.length(1), args.array(),
                args.offset(2), args.length(2), c.name().equals("spublish"));
        if (!findTargets()) {
            if (pubsub) {
                PubSubClient.pubsubHere(registry, args, out);
            } else {
                out.integer(receivers);
            }
            return false;
        }
        Gather g = gather(null, pubsub ? mergeOf(args) : Gather.SUM, pubsub ? args : null);
        g.merged = merged;
        g.place = place;
        g.protocol = protocol;
        if (pubsub) {
            answer(args, scratch, 0);
            g.add(scratch, 0);
        } else {
            g.sum = receivers;
        }
        g.write(out);
        scratch.putInt(0, g.index);
        int length = 4 + CommandCodec.encode(args, scratch, 4);
        for (int s = 0; s < shardCount; s++) {
            if (targets[s]) {
                mailbox.sendAlways(s, MSG_WITHIN, scratch, 0, length); // bounded by the EXEC's commands
                g.waiting++;
            }
        }
        return true;
    }

    /** Where the reply of a fan-out inside an EXEC goes once every shard asked answered; on this loop. */
    @FunctionalInterface
    public interface Merged {
        void onMerged(int place, DirectBuffer reply, int offset, int length);
    }

    /**
     * A keyspace event's message ({@link KeyspaceEvents}), from the shard that ran the command: to
     * this shard's subscribers, then one way to each other shard that has a subscription now, as
     * a PUBLISH inside an EXEC goes. Requests between two shards are read in the order sent, so a
     * subscriber anywhere sees one shard's events in the order its commands ran.
     */
    void publishEvent(byte[] channel, byte[] message) {
        registry.publish(channel, 0, channel.length, message, 0, message.length, false);
        int length = -1;
        for (int s = 0; s < shardCount; s++) {
            KvShard other = s == here ? null : group.service(s);
            if (other != null && other.pubsub().registry.activeCount() > 0) {
                if (length < 0) {
                    event.clear();
                    event.add(PUBLISH).add(channel).add(message);
                    length = CommandCodec.encode(event, scratch, 0);
                }
                mailbox.sendAlways(s, MSG_PUBLISH, scratch, 0, length);
            }
        }
    }

    private static int mergeOf(CommandArgs a) {
        String sub = a.string(1).toLowerCase(java.util.Locale.ROOT);
        return sub.endsWith("numsub") ? Gather.COUNTS : sub.equals("numpat") ? Gather.DISTINCT : Gather.NAMES;
    }

    private void pubsub(CommandArgs a, KvShard.Submitter who) {
        if (!PubSubClient.checkPubsub(a, who.replyNow())) {
            return;
        }
        Gather g = gather(who, mergeOf(a), a);
        answer(a, scratch, 0);
        g.add(scratch, 0);
        if (!anyTarget()) {
            g.finish(this);
            return;
        }
        ask(g, a);
    }


    private void ask(Gather g, CommandArgs args) {
        int length = CommandCodec.encode(args, scratch, 0);
        int type = args.is(0, "pubsub") ? MSG_PUBSUB : MSG_PUBLISH;
        if (!g.replyLater) {
            g.token = g.who.defer();
            g.replyLater = true;
        }
        for (int s = 0; s < shardCount; s++) {
            if (targets[s]) {
                if (mailbox.request(s, type, scratch, 0, length, this, g.index) < 0) {
                    throw new IllegalStateException("shard " + here + ": no credit towards shard " + s + " after it was checked");
                }
                g.waiting++;
            }
        }
    }

    /**
     * Writes this shard's part of a PUBSUB subcommand at {@code offset}: the names it has (CHANNELS,
     * SHARDCHANNELS, NUMPAT's patterns), or a count per channel named (NUMSUB, SHARDNUMSUB).
     */
    private int answer(CommandArgs a, ExpandableDirectByteBuffer out, int offset) {
        String sub = a.string(1).toLowerCase(java.util.Locale.ROOT);
        int at = offset + 4;
        if (sub.endsWith("numsub")) {
            Kind kind = sub.equals("numsub") ? Kind.CHANNEL : Kind.SHARD_CHANNEL;
            for (int i = 2; i < a.count(); i++) {
                out.putInt(at, registry.subscribers(kind, a.array(), a.offset(i), a.length(i)));
                at += 4;
            }
            out.putInt(offset, a.count() - 2);
            return at - offset;
        }
        names.clear();
        byte[] pattern = a.count() > 2 ? a.copy(2) : null;
        registry.names(sub.equals("numpat") ? Kind.PATTERN : sub.equals("channels") ? Kind.CHANNEL : Kind.SHARD_CHANNEL,
                sub.equals("numpat") ? null : pattern, names);
        for (Key k : names) {
            out.putInt(at, k.length());
            out.putBytes(at + 4, k.array(), k.offset(), k.length());
            at += 4 + k.length();
        }
        out.putInt(offset, names.size());
        return at - offset;
    }

    /** Streams a MONITOR line to every monitor, here and on the shards that have one. */
    public void feedMonitors(byte[] line, int offset, int length) {
        registry.feedMonitors(line, offset, length);
        lineView.wrap(line, offset, length);
        for (int s = 0; s < shardCount; s++) {
            KvShard other = s == here ? null : group.service(s);
            if (other != null && other.pubsub().registry.monitorCount() > 0) {
                mailbox.send(s, MSG_MONITOR, lineView, 0, length); // past the backlog bound a line is dropped
            }
        }
    }

    /** A message of this class from another shard; false for any other type. */
    boolean onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
        switch (type) {
            case MSG_PUBLISH -> {
                CommandCodec.decode(buffer, offset, incoming);
                int receivers = registry.publish(incoming.array(), incoming.offset(1), incoming.length(1),
                        incoming.array(), incoming.offset(2), incoming.length(2), incoming.is(0, "spublish"));
                if (correlationId != 0) { // a PUBLISH in an EXEC comes one way
                    scratch.putInt(0, receivers);
                    mailbox.reply(source, correlationId, MSG_PUBLISH, scratch, 0, 4);
                }
            }
            case MSG_PUBSUB -> {
                CommandCodec.decode(buffer, offset, incoming);
                int n = answer(incoming, scratch, 0);
                mailbox.reply(source, correlationId, MSG_PUBSUB, scratch, 0, n);
            }
            case MSG_WITHIN -> {
                CommandCodec.decode(buffer, offset + 4, incoming);
                scratch.putInt(0, buffer.getInt(offset));
                int n;
                if (incoming.is(0, "pubsub")) {
                    n = answer(incoming, scratch, 4);
                } else {
                    scratch.putInt(4, registry.publish(incoming.array(), incoming.offset(1), incoming.length(1),
                            incoming.array(), incoming.offset(2), incoming.length(2), incoming.is(0, "spublish")));
                    n = 4;
                }
                mailbox.sendAlways(source, MSG_WITHIN_ANSWER, scratch, 0, 4 + n); // one per MSG_WITHIN
            }
            case MSG_WITHIN_ANSWER -> onPart(gathers[buffer.getInt(offset)], buffer, offset + 4);
            case MSG_NAME -> {
                byte[] name = new byte[length - 2];
                buffer.getBytes(offset + 2, name);
                countName(Kind.values()[buffer.getByte(offset)], name, 0, name.length, buffer.getByte(offset + 1) == 1);
            }
            case MSG_MONITOR -> {
                byte[] line = new byte[length];
                buffer.getBytes(offset, line);
                registry.feedMonitors(line, 0, length);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
        onPart(gathers[(int) context], buffer, offset);
    }

    /** One shard's answer to a fan-out: a count, or its part of a PUBSUB answer. */
    private void onPart(Gather g, DirectBuffer buffer, int offset) {
        if (g.merge == Gather.SUM) {
            g.sum += buffer.getInt(offset);
        } else {
            g.add(buffer, offset);
        }
        if (--g.waiting == 0) {
            g.finish(this);
        }
    }

    private Gather gather(KvShard.Submitter who, int merge, CommandArgs pubsub) {
        Gather g = spare.pollFirst();
        if (g == null) {
            if (nextGather == gathers.length) {
                gathers = java.util.Arrays.copyOf(gathers, gathers.length * 2);
            }
            g = new Gather(nextGather);
            gathers[nextGather++] = g;
        }
        g.who = who;
        g.merged = null;
        g.merge = merge;
        g.sum = 0;
        g.waiting = 0;
        g.replyLater = false;
        g.channels = pubsub == null ? 0 : pubsub.count() - 2;
        g.counts = merge == Gather.COUNTS ? new int[g.channels] : null;
        g.request = merge == Gather.COUNTS ? copyOf(pubsub) : null;
        g.names.clear();
        return g;
    }

    private static CommandArgs copyOf(CommandArgs a) {
        CommandArgs copy = new CommandArgs();
        for (int i = 0; i < a.count(); i++) {
            copy.addFrom(a, i);
        }
        return copy;
    }

    private void release(Gather g) {
        g.who = null;
        g.merged = null;
        g.request = null;
        g.names.clear();
        spare.addLast(g);
    }

    /** One fan-out waiting for the other shards' answers: who asked, and what is merged so far. */
    private static final class Gather {
        static final int SUM = 0;
        static final int NAMES = 1;
        static final int COUNTS = 2;
        static final int DISTINCT = 3;

        final int index;
        /** Who asked, outside an EXEC; null inside one, where {@link #merged} hears the reply. */
        KvShard.Submitter who;
        Merged merged;
        int place;
        int protocol;
        long token;
        boolean replyLater;
        int merge;
        int waiting;
        long sum;
        int channels;
        int[] counts;
        CommandArgs request;
        final LinkedHashSet<Key> names = new LinkedHashSet<>();
        private final BufferReplyWriter reply = new BufferReplyWriter(64);

        Gather(int index) {
            this.index = index;
        }

        /** Merges one shard's part of a PUBSUB answer, written by {@link #answer}. */
        void add(DirectBuffer b, int offset) {
            int n = b.getInt(offset);
            int at = offset + 4;
            for (int i = 0; i < n; i++) {
                if (merge == COUNTS) {
                    counts[i] += b.getInt(at);
                    at += 4;
                } else {
                    int len = b.getInt(at);
                    byte[] name = new byte[len];
                    b.getBytes(at + 4, name);
                    names.add(Key.wrap(name));
                    at += 4 + len;
                }
            }
        }

        void finish(PubSubShard owner) {
            if (merged != null) {
                reply.reset().protocol(protocol);
                write(reply);
                merged.onMerged(place, reply.buffer(), 0, reply.length());
                owner.release(this);
                return;
            }
            ReplySink out = replyLater ? reply.reset() : who.replyNow();
            if (replyLater) {
                reply.protocol(who.protocol());
            }
            write(out);
            if (replyLater) {
                who.onReply(token, reply.buffer(), 0, reply.length());
            }
            owner.release(this);
        }

        void write(ReplySink out) {
            switch (merge) {
                case SUM -> out.integer(sum);
                case DISTINCT -> out.integer(names.size());
                case NAMES -> {
                    out.arrayHeader(names.size());
                    for (Key k : names) {
                        out.bulk(k.array(), k.offset(), k.length());
                    }
                }
                default -> {
                    out.arrayHeader(channels * 2);
                    for (int i = 0; i < channels; i++) {
                        out.bulk(request.array(), request.offset(i + 2), request.length(i + 2));
                        out.integer(counts[i]);
                    }
                }
            }
        }
    }
}
