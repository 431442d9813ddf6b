package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A transaction cut into its parts per shard ({@link ShardTransactions}): for each shard it
 * touches, the keys it locks there (and in which mode), the watched keys it checks there, and the
 * commands (or pieces of split commands) that run there, in order; for each command, where its
 * pieces are, to merge their replies. A command over keys of several shards that cannot be split
 * makes the transaction {@link #gathered}.
 * <p>
 * Built once per transaction, by the coordinating shard's thread, and read by it only.
 */
final class TransactionParts {
    /** Cuts a transaction arriving on shard {@code here} of {@code shardCount}, with {@code databases} databases. */
    static TransactionParts of(Transaction tx, int here, int shardCount, int databases) {
        TransactionParts p = new TransactionParts(tx, shardCount, databases);
        for (int i = 0; i < tx.size(); i++) {
            Command c = tx.command(i);
            CommandArgs a = tx.args(i);
            switch (c.route()) {
                case CONNECTION, LOCAL -> p.pieces(i, 0);
                case FIRST_SHARD -> p.addWhole(i, Router.FIRST, c, a, false);
                case SINGLE_KEY -> {
                    int k = c.firstKey();
                    p.addWhole(i, Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount), c, a, false);
                }
                case SCAN -> {
                    int owner = a.isLong(1) ? ScanCursor.shard(a.parseLong(1, 0)) : here;
                    p.addWhole(i, owner >= 0 && owner < shardCount ? owner : 0, c, a, true);
                }
                case MULTI_KEY -> {
                    MultiKeySplit split = new MultiKeySplit();
                    split.split(a, c.step(), shardCount);
                    p.splits[i] = split;
                    p.pieces(i, split.groups());
                    CommandArgs sub = new CommandArgs();
                    for (int g = 0; g < split.groups(); g++) {
                        split.subCommand(g, a, sub);
                        p.place(i, g, split.shard(g), c, sub, false);
                    }
                }
                case ALL_SHARDS -> {
                    p.pieces(i, shardCount);
                    for (int s = 0; s < shardCount; s++) {
                        p.place(i, s, s, c, a, true);
                    }
                }
                case WHOLE -> {
                    int owner = -1;
                    boolean several = false;
                    for (int n = 0; n < c.keyCount(a); n++) {
                        int k = c.keyIndex(a, n);
                        int o = Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount);
                        several |= owner >= 0 && o != owner;
                        owner = o;
                    }
                    if (several) {
                        // Its values gather on this shard, where the whole transaction then runs.
                        p.pieces(i, 0);
                        p.gathered = true;
                        for (int n = 0; n < c.keyCount(a); n++) {
                            int k = c.keyIndex(a, n);
                            Key key = Key.copyOf(a.array(), a.offset(k), a.length(k));
                            Key named = DbKeys.of(KeyCommands.keyDb(c, a, n, databases), a.array(), a.offset(k), a.length(k));
                            p.shard(Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount)).lock(key, named, c.isWrite());
                        }
                    } else {
                        p.addWhole(i, owner < 0 ? here : owner, c, a, false);
                    }
                }
            }
        }
        for (int w = 0; w < tx.watchedCount(); w++) {
            Key k = tx.watchedKey(w);
            p.shard(DbKeys.owner(k, shardCount)).watch(w, k, tx.watchedCode(w));
        }
        if (p.gathered) {
            for (int i = 0; i < tx.size(); i++) {
                Command.Route r = tx.command(i).route();
                p.outsideGathering[i] = r == Command.Route.ALL_SHARDS || r == Command.Route.SCAN
                        || r == Command.Route.FIRST_SHARD; // it must run on its shard, logged there
            }
        }
        return p;
    }


    final Transaction tx;
    final boolean[] touched;
    final ShardPart[] byShard;
    final List<ShardPart> parts = new ArrayList<>();
    /** Per command: for each of its pieces, its index among the commands of its shard's part. */
    final int[][] partsOf;
    /** Per command: for each of its pieces, the index in {@link #parts} of its shard's part. */
    final int[][] partOf;
    final MultiKeySplit[] splits;
    /**
     * Whether a command needs values of several shards at once: then the values of every key
     * gather on the coordinator and the whole transaction runs there ({@link GatheredKeys}).
     */
    boolean gathered;
    /** In a gathered transaction, the commands over every key, which cannot gather: answered an error in place. */
    final boolean[] outsideGathering;

    final int databases;

    private TransactionParts(Transaction tx, int shardCount, int databases) {
        this.tx = tx;
        this.databases = databases;
        this.touched = new boolean[shardCount];
        this.byShard = new ShardPart[shardCount];
        this.partsOf = new int[tx.size()][];
        this.partOf = new int[tx.size()][];
        this.splits = new MultiKeySplit[tx.size()];
        this.outsideGathering = new boolean[tx.size()];
    }

    ShardPart shard(int s) {
        ShardPart part = byShard[s];
        if (part == null) {
            part = byShard[s] = new ShardPart(s, parts.size());
            parts.add(part);
            touched[s] = true;
        }
        return part;
    }

    void addWhole(int i, int s, Command c, CommandArgs a, boolean everything) {
        pieces(i, 1);
        place(i, 0, s, c, a, everything);
    }

    /** Command {@code i} runs in {@code n} pieces (0: on no shard). */
    private void pieces(int i, int n) {
        partsOf[i] = new int[n];
        partOf[i] = new int[n];
    }

    /** Piece {@code p} of command {@code i} ({@code a}, whole or a sub-command) runs on shard {@code s}. */
    private void place(int i, int p, int s, Command c, CommandArgs a, boolean everything) {
        ShardPart part = shard(s);
        partOf[i][p] = part.index;
        partsOf[i][p] = part.add(c, a, everything, databases);
    }

    private List<Key> allKeys;

    /** Every key it locks, on any shard (watched ones included). */
    List<Key> keys() {
        if (allKeys == null) {
            allKeys = new ArrayList<>();
            for (ShardPart part : parts) {
                allKeys.addAll(part.keys);
            }
        }
        return allKeys;
    }

    /** Whether it locks every key of some shard (a command over every key). */
    boolean overEverything() {
        for (ShardPart part : parts) {
            if (part.everything) {
                return true;
            }
        }
        return false;
    }

    /** How many parts have a command that may write (each may then log a record on its shard). */
    int writingParts() {
        int n = 0;
        for (ShardPart part : parts) {
            if (part.mayWrite) {
                n++;
            }
        }
        return n;
    }

    /** The one shard touched, or -1 when none is or several are. */
    int onlyShard() {
        return parts.size() == 1 ? parts.get(0).shard : -1;
    }

    /** The longest first-hop message towards one shard (what its credit must cover). */
    int scheduleLength() {
        int n = 0;
        for (ShardPart part : parts) {
            n = Math.max(n, part.scheduleLength());
        }
        return n;
    }

    /** What one shard does for a transaction: its keys and their modes, its watched keys, its commands. */
    static final class ShardPart {
        final int shard;
        /** Its place in {@link #parts}. */
        final int index;
        final List<Key> keys = new ArrayList<>();
        /** Each of {@link #keys} named with its database ({@link DbKeys}): what a gathered transaction fetches. */
        final List<Key> named = new ArrayList<>();
        final List<Boolean> writes = new ArrayList<>();
        boolean everything;
        /** Whether one of its commands may write (a write command, or a script that may write). */
        boolean mayWrite;
        final List<Key> watched = new ArrayList<>();
        long[] codes = new long[0];
        /** Its sub-commands, encoded one after another ({@link CommandCodec}). */
        final ExpandableArrayBuffer commands = new ExpandableArrayBuffer(128);
        int commandsLength;
        int count;

        ShardPart(int shard, int index) {
            this.shard = shard;
            this.index = index;
        }

        /** Appends a command (or a piece of one) to run here; returns its index among this part's. */
        int add(Command c, CommandArgs a, boolean overEverything, int databases) {
            commandsLength += CommandCodec.encode(a, commands, commandsLength);
            everything |= overEverything || c.route() == Command.Route.ALL_SHARDS;
            boolean write = c.isWrite();
            mayWrite |= write || Propagation.mayWriteScript(c);
            for (int n = 0; n < Math.max(0, c.keyCount(a)); n++) {
                int k = c.keyIndex(a, n);
                keys.add(Key.copyOf(a.array(), a.offset(k), a.length(k)));
                named.add(DbKeys.of(KeyCommands.keyDb(c, a, n, databases), a.array(), a.offset(k), a.length(k)));
                writes.add(write);
            }
            return count++;
        }

        /** A key locked with no command of its own here (a gathered command's), and its name with its database. */
        void lock(Key k, Key withDb, boolean write) {
            keys.add(k);
            named.add(withDb);
            writes.add(write);
        }

        /** A watch ({@link DbKeys}: its database and key) to check here. */
        void watch(int w, Key k, long code) {
            watched.add(k);
            codes = java.util.Arrays.copyOf(codes, watched.size());
            codes[watched.size() - 1] = code;
            keys.add(DbKeys.name(k));
            named.add(k);
            writes.add(false); // read: the check sees the key as of the transaction's turn
        }

        KeyLocks.Entry entry(long id, Runnable onGrant) {
            boolean[] w = new boolean[writes.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = writes.get(i);
            }
            return new KeyLocks.Entry(id, keys.toArray(new Key[0]), w, everything, onGrant);
        }

        int scheduleLength() {
            int n = 8 + 1 + 4 + 4;
            for (Key k : named) {
                n += 1 + 4 + k.length();
            }
            for (Key k : watched) {
                n += 8 + 4 + k.length();
            }
            return n;
        }
    }
}
