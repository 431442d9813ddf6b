package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.LogFile;
import io.shardloop.persist.ParallelShards;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.ShardFiles;
import io.shardloop.persist.TransactionCut;
import io.shardloop.runtime.shard.Shard;

import io.shardloop.persist.AofLayout;
import io.shardloop.persist.AofReader;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.script.ScriptEngine;
import io.shardloop.script.ScriptRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the server keeps on disk, over all its shards: the settings, the data read back at start
 * ({@link #loaded}; the function libraries go straight into the server's registry), and each
 * shard's part (its append-only log, its snapshots), opened on its own loop ({@link #openShard});
 * the commands over every shard's part ({@link DiskCommands}).
 * <p>
 * Shared across shards: the settings are immutable; the loaded databases are handed over once,
 * each to its shard's thread, through an atomic array.
 */
public final class Durability {
    private static final Logger LOG = Logger.getLogger(Durability.class.getName());
    private final PersistenceConfig config;
    private final int shards;
    private final AtomicReferenceArray<Keyspace[]> loaded;

    private final int databases;
    private final java.util.function.LongSupplier clock;
    private final DiskCommands commands;
    private volatile long loadedKeys;
    private volatile long loadedExpired;
    /** The group's transaction ids: the load moves them past every one the logs name ({@link TransactionCut}). */
    private final java.util.concurrent.atomic.AtomicLong transactionIds;
    /** The server's function libraries: read back here, kept by shard {@link Router#FIRST}'s log and snapshots. */
    private final ScriptRegistry scripts;

    Durability(PersistenceConfig config, int shards, int databases, java.util.function.LongSupplier clock,
               java.util.concurrent.atomic.AtomicLong transactionIds, ScriptRegistry scripts) {
        this.config = config;
        this.scripts = scripts;
        this.shards = shards;
        this.databases = databases;
        this.clock = clock;
        this.transactionIds = transactionIds;
        this.loaded = new AtomicReferenceArray<>(shards);
        this.commands = new DiskCommands(this, shards);
    }

    public PersistenceConfig config() {
        return config;
    }

    /** The databases read back for shard {@code shard}, taken once; null when there were none. */
    Keyspace[] takeLoaded(int shard) {
        return loaded.getAndSet(shard, null);
    }

    void loaded(int shard, Keyspace[] databases) {
        loaded.set(shard, databases);
    }

    /**
     * Reads back every shard's log (appendonly yes), before the shards start: each old shard's files
     * are replayed into databases of its own on a thread of its own; with the same shard count they
     * become the shards' databases, with another each key goes to its new owner and the new set of
     * files is written (one RESTORE per key) before the old one is removed. A log cut short by a
     * crash is loaded up to its last whole record, with one line in the log (aof-load-truncated
     * yes); damage before its end stops start-up, naming the file and the offset. First the logs
     * are cut where a transaction over several shards is not whole on disk ({@link TransactionCut}).
     *
     * @return one line for the start-up log, or null when there was nothing to load
     */
    public String load() throws IOException {
        if (!config.appendOnly()) {
            return loadDump();
        }
        Path dir = config.appendDir();
        int old = AofLayout.shardsInUse(dir);
        if (old == 0 || old == shards) {
            Files.createDirectories(dir);
            AofLayout.writeShardsInUse(config.files(), dir, shards); // before any shard's log is opened
        }
        if (old == 0) {
            return null;
        }
        long start = System.nanoTime();
        List<List<Path>> incrementals = new ArrayList<>();
        for (int j = 0; j < old; j++) {
            incrementals.add(ShardFiles.read(config.files(), dir, j, old).incrementals());
        }
        TransactionCut cut = TransactionCut.scan(incrementals);
        String cutNote = cut.apply(config.files(), config.loadTruncated());
        transactionIds.accumulateAndGet(cut.lastTransaction(), Math::max); // a new id never names an old part
        Keyspace[][] read = new Keyspace[old][];
        String[] notes = new String[old];
        ParallelShards.run("aof-load", old, "loading the append-only files", shard -> {
            ScriptEngine.bindThisThread(scripts); // the FUNCTION commands replayed change this server's libraries
            read[shard] = Keyspace.databases(databases, clock, shard, old);
            notes[shard] = replay(dir, shard, old, read[shard]);
        });
        long keys = 0;
        if (old == shards) {
            cut.markKept(config.files()); // after the replay cut any torn tail: the marks go after whole records
            for (int k = 0; k < shards; k++) {
                loaded(k, read[k]);
                keys += Keyspace.size(read[k]);
            }
        } else {
            Keyspace[][] moved = new Keyspace[shards][];
            for (int k = 0; k < shards; k++) {
                moved[k] = Keyspace.databases(databases, clock, k, shards);
            }
            for (Keyspace[] from : read) {
                keys += redistribute(from, moved);
            }
            for (int k = 0; k < shards; k++) {
                writeAll(dir, k, moved[k]);
                loaded(k, moved[k]);
            }
            AofLayout.writeShardsInUse(config.files(), dir, shards);
            for (int j = 0; j < old; j++) {
                AofLayout.deleteSet(config.files(), dir, j, old);
            }
        }
        loadedKeys = keys;
        StringBuilder line = new StringBuilder("DB loaded from append only files: ").append(keys).append(" keys from ")
                .append(old).append(old == 1 ? " shard's" : " shards'").append(" logs in ")
                .append((System.nanoTime() - start) / 1_000_000).append(" ms");
        if (old != shards) {
            line.append(", moved to ").append(shards).append(" shards");
        }
        if (cutNote != null) {
            line.append("; ").append(cutNote);
        }
        for (String n : notes) {
            if (n != null) {
                line.append("; ").append(n);
            }
        }
        return line.toString();
    }

    /** Replays one old shard's files into {@code dbs}; returns a note when a file was cut short, else null. */
    private String replay(Path dir, int shard, int count, Keyspace[] dbs) throws IOException {
        ShardFiles files = ShardFiles.read(config.files(), dir, shard, count);
        ShardExecutor executor = new ShardExecutor(dbs);
        for (Keyspace k : dbs) {
            k.loading(true);
        }
        BufferReplyWriter discard = new BufferReplyWriter(256);
        int[] db = {0};
        String note = null;
        try {
            Path base = files.base();
            if (base != null) {
                if (!Files.exists(base)) {
                    throw new IOException("the base file " + base + " its manifest names is missing");
                }
                RdbFileReader.read(base, new Loader(dbs, -1, null));
            }
            List<Path> incr = files.incrementals();
            for (int i = 0; i < incr.size(); i++) {
                Path file = incr.get(i);
                if (!Files.exists(file)) {
                    throw new IOException("the append-only file " + file + " its manifest names is missing");
                }
                AofReader.Outcome outcome = AofReader.read(file, (commands, transaction) -> {
                    for (CommandArgs c : commands) {
                        if (c.is(0, "SELECT")) {
                            db[0] = (int) c.parseLong(1, 0);
                            continue;
                        }
                        c.db(db[0]);
                        discard.reset();
                        executor.execute(c, discard);
                    }
                });
                if (outcome.truncated()) {
                    boolean last = i == incr.size() - 1;
                    if (!last || !config.loadTruncated()) {
                        throw new IOException("the append-only file " + file + " is cut short at offset "
                                + outcome.truncatedAt() + " of " + outcome.size()
                                + (last ? " (aof-load-truncated is no; shardloop check-aof --fix repairs it)" : ""));
                    }
                    try (LogFile f = config.files().open(file)) {
                        f.truncate(outcome.truncatedAt());
                        f.force();
                    }
                    note = "!!! Warning: short read while loading the AOF file " + file.getFileName()
                            + "!!! AOF loaded anyway because aof-load-truncated is enabled: cut at offset "
                            + outcome.truncatedAt() + " of " + outcome.size();
                    LOG.warning(note);
                }
            }
        } finally {
            for (Keyspace k : dbs) {
                k.loading(false);
            }
        }
        return note;
    }

    /**
     * Reads the snapshot dbfilename names (appendonly no), when there is one: each key goes to the
     * shard that owns it. A file that is damaged stops start-up, naming it and the offset.
     *
     * @return one line for the start-up log, or null when there was no file
     */
    private String loadDump() throws IOException {
        Path file = config.dir().resolve(config.dbFilename());
        if (!Files.exists(file)) {
            return null;
        }
        long start = System.nanoTime();
        Keyspace[][] to = new Keyspace[shards][];
        for (int k = 0; k < shards; k++) {
            to[k] = Keyspace.databases(databases, clock, k, shards);
        }
        long[] counts = new long[2];
        try {
            RdbFileReader.read(file, new Loader(null, clock.getAsLong(), counts) {
                @Override
                Keyspace target(int db, byte[] key) {
                    return to[Slots.ownerOf(key, 0, key.length, shards)][db];
                }
            });
        } catch (UncheckedIOException e) {
            throw new IOException(file + ": " + e.getCause().getMessage(), e.getCause());
        }
        for (int k = 0; k < shards; k++) {
            loaded(k, to[k]);
        }
        loadedKeys = counts[0];
        loadedExpired = counts[1];
        return "DB loaded from disk: " + counts[0] + " keys from " + file + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms" + (counts[1] > 0 ? ", " + counts[1] + " expired keys left out" : "");
    }

    /**
     * Puts what an RDB file holds into databases, a key already there replaced, and its function
     * libraries into the server's (a library already there stops the load, as in Redis).
     */
    private class Loader implements RdbVisitor {
        private final Keyspace[] dbs;
        private final long now;
        private final long[] counts;
        private final Key probe = Key.probe();
        /** Made for the first library: the load's own, over the server's registry, on the loading thread. */
        private ScriptEngine engine;

        /**
         * @param now    keys that expired before this are left out (Redis as a master); -1: all are kept (a log's base)
         * @param counts keys loaded and left out, or null
         */
        Loader(Keyspace[] dbs, long now, long[] counts) {
            this.dbs = dbs;
            this.now = now;
            this.counts = counts;
        }

        Keyspace target(int db, byte[] key) {
            return dbs[db];
        }

        @Override
        public void function(String code) {
            if (engine == null) {
                engine = new ScriptEngine(scripts);
            }
            String error = FunctionCommands.loadFromFile(engine, code);
            if (error != null) {
                throw new UncheckedIOException(new IOException("a function library in the file cannot be loaded: "
                        + (error.startsWith("ERR ") ? error.substring(4) : error)));
            }
        }

        @Override
        public void entry(int db, byte[] key, Object value, long expireAtMs) {
            if (db < 0 || db >= databases) {
                throw new UncheckedIOException(new IOException("the file holds database " + db
                        + " and this server has " + databases + " (--databases)"));
            }
            long expireAt = expireAtMs < 0 ? Db.NO_EXPIRY : expireAtMs;
            if (now >= 0 && expireAt != Db.NO_EXPIRY && expireAt < now) {
                if (counts != null) {
                    counts[1]++;
                }
                return;
            }
            target(db, key).load(probe.view(key, 0, key.length), value, expireAt);
            if (counts != null) {
                counts[0]++;
            }
        }
    }

    /** Moves every key of one old shard's databases to its owner among {@code to}; returns how many. */
    private static long redistribute(Keyspace[] from, Keyspace[][] to) {
        long[] n = {0};
        for (int db = 0; db < from.length; db++) {
            Keyspace source = from[db];
            int index = db;
            source.forEachEntry((key, value, expireAt) -> {
                int owner = Slots.ownerOf(key.array(), key.offset(), key.length(), to.length);
                to[owner][index].load(key, value, expireAt);
                n[0]++;
            });
        }
        return n[0];
    }

    /**
     * Writes every key of a new shard into its first log file, as RESTOREs (a change of shard count);
     * shard {@link Router#FIRST}'s begins with a FUNCTION LOAD of each library, as Redis's rewrite does.
     */
    private void writeAll(Path dir, int shard, Keyspace[] dbs) throws IOException {
        AofLayout.deleteSet(config.files(), dir, shard, shards); // a set for this count left by an earlier crash
        ShardFiles files = ShardFiles.read(config.files(), dir, shard, shards);
        try (LogFile f = files.openLast()) {
            StateWriter out = new StateWriter(f);
            if (shard == Router.FIRST) {
                for (String code : FunctionCommands.codes(scripts)) {
                    out.functionLoad(code);
                }
            }
            for (int db = 0; db < dbs.length; db++) {
                int index = db;
                dbs[db].forEachEntry((key, value, expireAt) -> out.restore(index, key, value, expireAt));
            }
            out.finish();
            f.force();
        }
    }

    /**
     * Opens shard {@code shard}'s part of the disk on its loop thread, before it serves: its log
     * (appendonly yes) and what compacts it, and its part of the snapshots.
     */
    ShardDisk openShard(Shard shard, Keyspace[] dbs, KeyLocks locks) {
        AppendLog log = null;
        ShardFiles files = null;
        long size = 0;
        long base = 0;
        if (config.appendOnly()) {
            try {
                files = ShardFiles.read(config.files(), config.appendDir(), shard.index(), shards);
                LogFile last = files.openLast();
                long[] sizes = files.sizes();
                size = sizes[0];
                base = sizes[1];
                log = new AppendLog(shard.name(), shard.loop(), shard::offload, config.fsync(), last, last.size());
            } catch (IOException e) {
                throw new UncheckedIOException("shard " + shard.index() + ": cannot open its append-only file in "
                        + config.appendDir() + ": " + e.getMessage(), e);
            }
        }
        ShardDisk disk = new ShardDisk(shard.name(), shard.index(), shards, shard.loop(), shard::offload, config, dbs,
                shard.index() == Router.FIRST ? scripts : null, log, files, size, base, commands.rewritesUnderWay(), locks);
        commands.register(shard.index(), disk);
        return disk;
    }

    /** The next id of the global order of transactions over several shards ({@link KvGroup#nextTransactionId}). */
    long nextTransactionId() {
        return transactionIds.incrementAndGet();
    }

    /** BGSAVE, SAVE, LASTSAVE, BGREWRITEAOF and INFO persistence over every shard. */
    public DiskCommands commands() {
        return commands;
    }

    /** Keys read at start and keys left out because they had expired (INFO's rdb_last_load_keys_*). */
    long[] lastLoad() {
        return new long[] {loadedKeys, loadedExpired};
    }
}
