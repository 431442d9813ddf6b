package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.LogFile;
import io.shardloop.persist.LogFiles;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.offload.OffloadPool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One shard's databases as they were at one moment, written as RDB while the shard goes on
 * serving: no fork, no copy of the data, no turn held for long. {@link #start} begins a
 * {@link Keyspace.Walk} over each database at that moment; then a step saves entries for at most
 * {@link #STEP_NANOS} every {@link #GAP_NANOS} of the loop's time, and an entry a command touches before its step comes is saved first,
 * as it was. The encoded bytes go to the file through the offload pool, one write in flight, and
 * the walk waits while more than {@link #MAX_UNWRITTEN} bytes are not yet written.
 * <p>
 * With a header the file is a whole RDB file (the base of a shard's log); without, it is a body
 * that {@link RdbJoin} joins with the other shards' into one dump (BGSAVE). Function libraries, when
 * it is given any, come first, as Redis writes them.
 * <p>
 * The loop's thread runs everything but the file work; the jobs run on the pool one at a time, each
 * handed the file by the one before it.
 */
final class Snapshot implements Keyspace.SnapshotSink {
    /** A step's time on the loop. */
    static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The time between two steps, the loop serving meanwhile: the walk takes at most half of a
     * shard's time, so a loop that shares its CPU with others still has most of its share for
     * requests (stepping every turn took nine tenths of it, and requests queued behind the walk).
     */
    static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Bytes handed to a write once this many are encoded. */
    static final int CHUNK = 256 * 1024;
    /** The walk pauses while this many bytes wait for the disk. */
    static final int MAX_UNWRITTEN = 8 << 20;
    /** Entries saved between two looks at the clock. */
    private static final int ENTRIES_PER_LOOK = 64;

    /** How it ended; on the loop. */
    interface Done {
        /** @param failure null when the file is written, forced and closed */
        void done(Snapshot snapshot, IOException failure);
    }

    private final EventLoop loop;
    private final AppendLog.Offloader offloader;
    private final LogFiles files;
    private final Path target;
    private final Keyspace[] databases;
    private final RdbHeader header;
    private final java.util.List<String> functions;
    private final Done done;
    private final RdbFileWriter writer = new RdbFileWriter();
    private final Keyspace.Walk[] walks;
    private final long[] keys;
    private final long[] expires;
    private final EventLoop.TimerTask step = now -> step();
    private int walking;
    private int selected = -1;
    private boolean walked;
    private boolean writing;
    private boolean stepScheduled;
    private boolean closed;
    private long unwritten;
    private long startedNanos;
    private long endedNanos;
    private IOException failure;
    /** Owned by the job running, handed from job to job through the pool's queue. */
    private LogFile file;

    /**
     * @param target    the file written (created, or emptied first)
     * @param header    the RDB header for a whole file; null for a body
     * @param functions the code of the function libraries to write before the keys (empty for none)
     */
    Snapshot(EventLoop loop, AppendLog.Offloader offloader, LogFiles files, Path target, Keyspace[] databases,
             RdbHeader header, java.util.List<String> functions, Done done) {
        this.loop = loop;
        this.offloader = offloader;
        this.files = files;
        this.target = target;
        this.databases = databases;
        this.header = header;
        this.functions = functions;
        this.done = done;
        this.walks = new Keyspace.Walk[databases.length];
        this.keys = new long[databases.length];
        this.expires = new long[databases.length];
    }

    /** Takes the moment: from now on what the databases hold is not what the file gets. */
    void start() {
        startedNanos = System.nanoTime();
        for (int db = 0; db < databases.length; db++) {
            keys[db] = databases[db].size();
            expires[db] = databases[db].timedSize();
            walks[db] = databases[db].beginSnapshot(this);
        }
        if (header != null) {
            writer.header(header);
        }
        for (String code : functions) {
            writer.function(code);
        }
        scheduleStep();
    }

    @Override
    public void save(int db, Key key, Object value, long expireAt) {
        if (db != selected) {
            writer.selectDb(db, keys[db], expires[db]);
            selected = db;
        }
        writer.entry(key, value, expireAt == Db.NO_EXPIRY ? RdbFileWriter.NO_EXPIRY : expireAt);
    }

    /** Keys written (expired ones left out), so far. */
    long keysSaved() {
        long n = 0;
        for (Keyspace.Walk w : walks) {
            n += w == null ? 0 : w.saved();
        }
        return n;
    }

    /** Keys there were when it began (INFO's current_save_keys_total). */
    long keysAtStart() {
        long n = 0;
        for (long k : keys) {
            n += k;
        }
        return n;
    }

    /** Nanoseconds from {@link #start} to the end (or to now while it runs). */
    long elapsedNanos() {
        return (endedNanos != 0 ? endedNanos : System.nanoTime()) - startedNanos;
    }

    private void scheduleStep() {
        if (!stepScheduled) {
            stepScheduled = true;
            loop.scheduleTimer(System.nanoTime() + GAP_NANOS, step);
        }
    }

    private void step() {
        stepScheduled = false;
        long deadline = System.nanoTime() + STEP_NANOS;
        while (walking < walks.length) {
            if (walks[walking].step(ENTRIES_PER_LOOK)) {
                walking++;
            } else if (System.nanoTime() >= deadline || failure == null && unwritten + writer.pending() >= MAX_UNWRITTEN) {
                break;
            }
        }
        if (walking == walks.length && !walked) {
            walked = true;
            if (header != null && failure == null) {
                writer.finish();
            }
        }
        if (failure != null) {
            if (walked) {
                end();
            } else {
                scheduleStep(); // only marking what is left saved, for the next snapshot
            }
            return;
        }
        flush();
        if (!walked && unwritten + writer.pending() < MAX_UNWRITTEN) {
            scheduleStep();
        } // else the write under way steps again when it is done
    }

    /** Hands the encoded bytes to a write when there are enough of them, or the last of them. */
    private void flush() {
        if (writing || failure != null || closed) {
            return;
        }
        if (writer.pending() < CHUNK && !walked) {
            return;
        }
        ByteBuffer chunk = writer.take();
        boolean last = walked;
        int length = chunk.remaining();
        unwritten += length;
        writing = true;
        int rc = offloader.offload(() -> {
            write(chunk, last);
            return null;
        }, (Object ignored, Throwable error) -> onWritten(length, last, error));
        if (rc != OffloadPool.ACCEPTED) {
            writing = false;
            unwritten -= length;
            fail(new IOException("the offload pool refused the snapshot's write (full or closing)"));
        }
    }

    private void write(ByteBuffer chunk, boolean last) throws IOException {
        if (file == null) {
            file = files.open(target);
            file.truncate(0);
        }
        file.write(chunk);
        if (last) {
            file.force();
            file.close();
            file = null;
        }
    }

    private void onWritten(int length, boolean last, Throwable error) {
        writing = false;
        unwritten -= length;
        if (error != null) {
            fail(error instanceof IOException io ? io : new IOException(error.toString(), error));
            return;
        }
        if (last) {
            closed = true;
            end();
        } else if (walked) {
            flush();
        } else {
            scheduleStep();
        }
    }

    /**
     * The file cannot be written: it is closed and removed, and the walks go on only marking the
     * entries saved (the next snapshot needs them all alike), then it ends with the failure.
     */
    private void fail(IOException e) {
        failure = e;
        for (Keyspace.Walk w : walks) {
            w.abandon();
        }
        closeQuietly();
        if (walked) {
            end();
        } else {
            scheduleStep();
        }
    }

    /** Closes and removes the file off the loop; its completion is not waited for. */
    private void closeQuietly() {
        offloader.offload(() -> {
            if (file != null) {
                file.close();
                file = null;
            }
            files.delete(target);
            return null;
        }, (Object ignored, Throwable error) -> { });
    }

    private void end() {
        if (endedNanos == 0) {
            endedNanos = System.nanoTime();
            done.done(this, failure);
        }
    }
}
