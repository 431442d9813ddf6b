package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.LogFile;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.ShardFiles;
import io.shardloop.persist.TransactionCut;
import io.shardloop.runtime.shard.Shard;

import io.shardloop.persist.AofLayout;
import io.shardloop.persist.AofReader;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;

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
 * ({@link #loaded}), and each shard's append-only log, opened on its own loop ({@link #openLog}).
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
    /** The group's transaction ids: the load moves them past every one the logs name ({@link TransactionCut}). */
    private final java.util.concurrent.atomic.AtomicLong transactionIds;

    Durability(PersistenceConfig config, int shards, int databases, java.util.function.LongSupplier clock,
               java.util.concurrent.atomic.AtomicLong transactionIds) {
        this.config = config;
        this.shards = shards;
        this.databases = databases;
        this.clock = clock;
        this.transactionIds = transactionIds;
        this.loaded = new AtomicReferenceArray<>(shards);
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
            return null;
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
        IOException[] failure = new IOException[1];
        Thread[] threads = new Thread[old];
        for (int j = 0; j < old; j++) {
            int shard = j;
            threads[j] = Thread.ofPlatform().name("aof-load-" + j).start(() -> {
                try {
                    read[shard] = Keyspace.databases(databases, clock, shard, old);
                    notes[shard] = replay(dir, shard, old, read[shard]);
                } catch (IOException | RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    }
                }
            });
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while loading the append-only files");
            }
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        long keys = 0;
        if (old == shards) {
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

    /** Writes every key of a new shard into its first log file, as RESTOREs (a change of shard count). */
    private void writeAll(Path dir, int shard, Keyspace[] dbs) throws IOException {
        AofLayout.deleteSet(config.files(), dir, shard, shards); // a set for this count left by an earlier crash
        ShardFiles files = ShardFiles.read(config.files(), dir, shard, shards);
        try (LogFile f = files.openLast()) {
            StateWriter out = new StateWriter(f);
            for (int db = 0; db < dbs.length; db++) {
                int index = db;
                dbs[db].forEachEntry((key, value, expireAt) -> out.restore(index, key, value, expireAt));
            }
            out.finish();
            f.force();
        }
    }

    /** Opens shard {@code shard}'s log (appendonly yes), on its loop thread, before it serves; null when off. */
    AppendLog openLog(Shard shard) {
        if (!config.appendOnly()) {
            return null;
        }
        try {
            ShardFiles files = ShardFiles.read(config.files(), config.appendDir(), shard.index(), shards);
            LogFile last = files.openLast();
            AppendLog log = new AppendLog(shard.name(), shard.loop(), shard::offload, config.fsync(), last, last.size());
            log.bindThisThread();
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException("shard " + shard.index() + ": cannot open its append-only file in "
                    + config.appendDir() + ": " + e.getMessage(), e);
        }
    }
}
